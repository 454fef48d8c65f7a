#include "ctl/curve_keys.hpp"

#include <array>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <sys/stat.h>
#include <zmq.h>

namespace rcpilot::vehicle {
namespace {

namespace fs = std::filesystem;

constexpr std::uintmax_t kMaxKeyFileBytes = 64 * 1024;  // a key file is a few hundred bytes

std::string read_text(const std::string& path, const char* what) {
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (!ec && fs::exists(status) && !fs::is_regular_file(status)) {
    throw KeyFileError(std::string(what) + " " + path + ": is " +
                       (fs::is_directory(status) ? "a directory" : "not a regular file") +
                       ", not a key file; give the path of the file itself (`rcpilot-ctl keygen` "
                       "makes key files)");
  }
  if (!ec && fs::exists(status) && fs::file_size(path, ec) > kMaxKeyFileBytes) {
    throw KeyFileError(std::string(what) + " " + path +
                       ": larger than 64 KiB, not a key file; "
                       "check the path");
  }
  std::ifstream in(path);
  if (!in) {
    throw KeyFileError(std::string(what) + " " + path +
                       ": cannot read it; check the path and permissions, or create keys with "
                       "`rcpilot-ctl keygen`");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The value of `name = "..."` in `text`; "" when absent.
std::string field(const std::string& text, const std::string& name) {
  const std::regex re(name + R"(\s*=\s*"([^"]*)\")");
  std::smatch m;
  return std::regex_search(text, m, re) ? m[1].str() : std::string();
}

std::string checked(const std::string& key, const std::string& path, const char* name) {
  if (!is_z85_key(key)) {
    throw KeyFileError("key file " + path + ": " + name +
                       " is not a 40-character Z85 CURVE key; create keys with `rcpilot-ctl "
                       "keygen`");
  }
  return key;
}

void write_file(const std::string& path, const std::string& text, mode_t mode) {
  std::ofstream out(path);
  out << text;
  out.close();
  if (!out || chmod(path.c_str(), mode) != 0) {
    throw KeyFileError("cannot write key file " + path + "; check the folder is writable");
  }
}

}  // namespace

bool is_z85_key(const std::string& text) {
  if (text.size() != 40) return false;
  std::array<std::uint8_t, 32> raw{};
  return zmq_z85_decode(raw.data(), text.c_str()) != nullptr;
}

CurveKeyPair generate_curve_keypair() {
  char pub[41];
  char sec[41];
  if (zmq_curve_keypair(pub, sec) != 0) {
    throw std::runtime_error(
        "this libzmq has no CURVE support (built without libsodium); install Debian's libzmq5");
  }
  return {pub, sec};
}

void write_curve_keypair(const CurveKeyPair& keys, const std::string& base) {
  const std::string pub_path = base + ".key";
  const std::string sec_path = base + ".key_secret";
  for (const auto& p : {pub_path, sec_path}) {
    if (fs::exists(p)) {
      throw KeyFileError(p + " already exists; remove it first or choose another name");
    }
  }
  const std::string header =
      "# rcpilot CURVE key (ZeroMQ zcert style), made by rcpilot-ctl keygen\n";
  write_file(pub_path, header + "public-key = \"" + keys.public_key + "\"\n", 0644);
  write_file(sec_path,
             header + "# keep this file private\npublic-key = \"" + keys.public_key +
                 "\"\nsecret-key = \"" + keys.secret_key + "\"\n",
             0600);
}

CurveKeyPair read_secret_key_file(const std::string& path) {
  const std::string text = read_text(path, "secret key file");
  CurveKeyPair keys;
  keys.secret_key = field(text, "secret-key");
  if (keys.secret_key.empty()) {
    throw KeyFileError("key file " + path +
                       ": no secret-key line; pass the `.key_secret` file made by "
                       "`rcpilot-ctl keygen`, not the public `.key` file");
  }
  checked(keys.secret_key, path, "secret-key");
  char pub[41];
  if (zmq_curve_public(pub, keys.secret_key.c_str()) != 0) {
    throw KeyFileError("key file " + path + ": cannot derive the public key (no CURVE in libzmq)");
  }
  keys.public_key = pub;
  return keys;
}

std::string read_public_key(const std::string& file_or_key) {
  if (is_z85_key(file_or_key) && !fs::exists(file_or_key)) return file_or_key;
  const std::string text = read_text(file_or_key, "public key file");
  return checked(field(text, "public-key"), file_or_key, "public-key");
}

std::vector<std::string> read_authorized_keys(const std::string& path) {
  std::istringstream lines(read_text(path, "authorized keys file"));
  std::vector<std::string> keys;
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    // Z85 keys may contain '#': only a line starting with it is a comment.
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    const std::string quoted = field(line, "public-key");
    std::istringstream words(quoted.empty() ? line : quoted);
    std::string key;
    if (!(words >> key)) continue;
    checked(key, path + ":" + std::to_string(number), "the key");
    keys.push_back(key);
  }
  if (keys.empty()) {
    throw KeyFileError("authorized keys file " + path +
                       " lists no keys; add client public keys (`rcpilot-ctl keygen` makes them)");
  }
  return keys;
}

void use_curve_keys(ClientOptions& options, const std::string& server_key,
                    const std::string& client_key_file) {
  if (server_key.empty()) return;
  if (client_key_file.empty()) {
    throw KeyFileError("--server-key needs --key with this client's secret key file");
  }
  options.server_public_key = read_public_key(server_key);
  const CurveKeyPair mine = read_secret_key_file(client_key_file);
  options.client_public_key = mine.public_key;
  options.client_secret_key = mine.secret_key;
}

}  // namespace rcpilot::vehicle
