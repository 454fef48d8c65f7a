#include "web/static_files.hpp"

namespace rcpilot::web {

std::string content_type_of(const std::string& file_name) {
  const auto dot = file_name.rfind('.');
  const std::string ext = dot == std::string::npos ? "" : file_name.substr(dot);
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".png") return "image/png";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".json") return "application/json";
  return "";
}

std::string tub_image_file(const std::string& tub_path, const std::string& target_path) {
  const std::string prefix = "/tub/image/", suffix = ".jpg";
  if (tub_path.empty() || target_path.size() <= prefix.size() + suffix.size() ||
      target_path.compare(0, prefix.size(), prefix) != 0 ||
      target_path.compare(target_path.size() - suffix.size(), suffix.size(), suffix) != 0) {
    return "";
  }
  const std::string index =
      target_path.substr(prefix.size(), target_path.size() - prefix.size() - suffix.size());
  if (index.size() > 15) return "";
  for (char c : index) {
    if (c < '0' || c > '9') return "";
  }
  return tub_path + "/images/" + index + "_cam_image_array_.jpg";  // the tub writer's name
}

bool safe_static_path(const std::string& path) {
  if (path.size() < 3 || path.size() > 64 || path[0] != '/') return false;
  int dots = 0;
  for (std::size_t i = 1; i < path.size(); ++i) {
    const char c = path[i];
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '_';
    if (c == '.') {
      ++dots;
    } else if (!plain) {
      return false;
    }
  }
  return dots == 1 && path[1] != '.' && !content_type_of(path).empty();
}

}  // namespace rcpilot::web
