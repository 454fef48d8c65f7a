#pragma once
// Which files rcpilot-web serves: the page's own files from its www folder and the tub's
// thumbnails, named so that nothing outside those folders can be reached.
#include <string>

namespace rcpilot::web {

// The image file of record `index` in a tub folder, for a target "/tub/image/<index>.jpg";
// "" for any other target (only digits name a record: nothing outside the tub's images/).
std::string tub_image_file(const std::string& tub_path, const std::string& target_path);
// The Content-Type for a file name by its extension; "" for files the server does not serve.
std::string content_type_of(const std::string& file_name);
// True for a path the static file handler may open: "/name.ext" with letters, digits, '-', '_'
// and one '.', so nothing outside the www folder can be named.
bool safe_static_path(const std::string& path);

}  // namespace rcpilot::web
