// Fuzz target for rcpilot-web's input from browsers: WebSocket messages and request targets.
#include <cmath>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_targets.hpp"
#include "web/access.hpp"
#include "web/browser_message.hpp"
#include "web/hub.hpp"
#include "web/static_files.hpp"

namespace rcpilot::fuzz {
namespace {

using nlohmann::json;

void require(bool condition) {
  if (!condition) std::abort();
}

// Drive values must reach the node inside -1 .. 1; every request must be a JSON object.
struct CheckingNode final : web::NodeLink {
  bool submit(json request, Done done) override {
    require(request.is_object() && request.contains("cmd"));
    done(json{{"ok", false}, {"error", "refused"}, {"message", "fuzz"}});
    return true;
  }
  void drive(double steering, double throttle) override {
    require(std::isfinite(steering) && std::abs(steering) <= 1.0);
    require(std::isfinite(throttle) && std::abs(throttle) <= 1.0);
  }
};

// Everything the hub sends a browser as text must be JSON.
struct CheckingClient final : web::Client {
  web::Outbox& outbox() override { return box; }
  void flush() override {
    while (auto m = box.next()) {
      if (!m->binary) require(!json::parse(*m->data, nullptr, false).is_discarded());
      box.sent();
    }
  }
  web::Outbox box;
};

}  // namespace

int web_messages(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string_view first = text.substr(0, text.find('\n'));
  const web::RequestCredentials credentials{first, first, first};
  require(!web::request_allowed(credentials, "a-token-nobody-guesses") ||
          web::token_of(credentials) == "a-token-nobody-guesses");
  const std::string path(first);
  const std::string image = web::tub_image_file("/tub", path);
  require(image.empty() || image.find("..") == std::string::npos);
  require(!web::safe_static_path(path) || path.find("..") == std::string::npos);
  ManualClock clock;
  CheckingNode node;
  web::Hub hub(node, clock, [](std::function<void()> f) { f(); });
  const auto id = hub.join(std::make_shared<CheckingClient>());
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = text.find('\n', start);
    const std::string_view line =
        text.substr(start, end == std::string_view::npos ? end : end - start);
    hub.on_text(id, line);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  hub.leave(id);
  return 0;
}

}  // namespace rcpilot::fuzz
