#pragma once
// CURVE key pairs for the control API, in files close to ZeroMQ's zcert text format:
//   public-key = "<40 Z85 characters>"
//   secret-key = "<40 Z85 characters>"     (secret file only, mode 0600)
// An authorized-keys file lists client public keys, one per line (bare Z85 or a public-key
// line); `#` starts a comment.
#include <stdexcept>
#include <string>
#include <vector>

#include "ctl/control_client.hpp"

namespace rcpilot::vehicle {

// A key file that cannot be used; what() names the file and what to do.
class KeyFileError : public std::runtime_error {
  using runtime_error::runtime_error;
};

struct CurveKeyPair {
  std::string public_key;  // Z85, 40 characters
  std::string secret_key;  // Z85, 40 characters
};

// A fresh key pair (libzmq's zmq_curve_keypair); throws std::runtime_error without CURVE.
CurveKeyPair generate_curve_keypair();
// Writes `<base>.key` (public) and `<base>.key_secret` (secret, 0600); refuses to overwrite.
void write_curve_keypair(const CurveKeyPair& keys, const std::string& base);
// Reads a secret key file (both keys); a file with only a public key is an error.
CurveKeyPair read_secret_key_file(const std::string& path);
// Reads a public key: a file holding one, or the 40-character key itself.
std::string read_public_key(const std::string& file_or_key);
// Reads an authorized-keys file; at least one key.
std::vector<std::string> read_authorized_keys(const std::string& path);
// Puts CURVE on `options` from the programs' --server-key (the node's public key, a file or the
// key) and --key (this client's secret key file); nothing when `server_key` is empty. Throws
// KeyFileError when only one of them is given or a file cannot be used.
void use_curve_keys(ClientOptions& options, const std::string& server_key,
                    const std::string& client_key_file);
// True for 40 characters of ZeroMQ's Z85 alphabet that decode to a 32-byte key.
bool is_z85_key(const std::string& text);

}  // namespace rcpilot::vehicle
