#pragma once
// GStreamer helpers for the camera tests: a small video written at test time, and a loopback
// TCP server that accepts connections and never sends (a stalled network camera).
#include <arpa/inet.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace rcpilot::perception::testing {

// A frame whose blue channel encodes `value` (JPEG keeps flat colours within a few levels).
inline cv::Mat flat_frame(int value, cv::Size size = {64, 48}) {
  return cv::Mat(size, CV_8UC3, cv::Scalar(value, 128, 255 - value));
}

// Writes one flat frame per value into an MJPEG AVI at `fps` (appsrc ! jpegenc ! avimux, from
// gstreamer1.0-plugins-good); false when the pipeline fails or takes over 10 s.
inline bool write_video(const std::string& path, const std::vector<int>& values, int fps = 25) {
  gst_init(nullptr, nullptr);
  const std::string caps =
      "video/x-raw, format=BGR, width=64, height=48, framerate=" + std::to_string(fps) + "/1";
  GError* error = nullptr;
  GstElement* pipeline =
      gst_parse_launch(("appsrc name=in format=time caps=\"" + caps +
                        "\" ! videoconvert ! jpegenc ! avimux ! filesink name=out")
                           .c_str(),
                       &error);
  if (error != nullptr) {
    g_clear_error(&error);
    return false;
  }
  GstElement* out = gst_bin_get_by_name(GST_BIN(pipeline), "out");
  g_object_set(out, "location", path.c_str(), nullptr);
  gst_object_unref(out);
  GstElement* in = gst_bin_get_by_name(GST_BIN(pipeline), "in");
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  for (std::size_t i = 0; i < values.size(); ++i) {
    const cv::Mat frame = flat_frame(values[i]);
    const gsize size = frame.total() * frame.elemSize();
    GstBuffer* buffer = gst_buffer_new_allocate(nullptr, size, nullptr);
    gst_buffer_fill(buffer, 0, frame.data, size);
    GST_BUFFER_PTS(buffer) = gst_util_uint64_scale(i, GST_SECOND, static_cast<guint64>(fps));
    GST_BUFFER_DURATION(buffer) = gst_util_uint64_scale(1, GST_SECOND, static_cast<guint64>(fps));
    gst_app_src_push_buffer(GST_APP_SRC(in), buffer);
  }
  gst_app_src_end_of_stream(GST_APP_SRC(in));
  gst_object_unref(in);
  GstBus* bus = gst_element_get_bus(pipeline);
  GstMessage* done = gst_bus_timed_pop_filtered(
      bus, 10 * GST_SECOND, static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  const bool ok = done != nullptr && GST_MESSAGE_TYPE(done) == GST_MESSAGE_EOS;
  if (done != nullptr) gst_message_unref(done);
  gst_object_unref(bus);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(pipeline);
  return ok;
}

// Listens on 127.0.0.1 (a free port); the kernel completes connections from its backlog, and
// nothing is ever sent: a reader of the stream stalls.
class SilentTcpServer {
 public:
  SilentTcpServer() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    listen(fd_, 8);
    socklen_t length = sizeof(address);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~SilentTcpServer() { close(fd_); }
  SilentTcpServer(const SilentTcpServer&) = delete;
  SilentTcpServer& operator=(const SilentTcpServer&) = delete;
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace rcpilot::perception::testing
