#include "perception/gst_camera.hpp"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include <chrono>
#include <mutex>
#include <utility>

#include <opencv2/imgproc.hpp>

namespace rcpilot::perception {
namespace {

// How long one appsink pull may wait: the bound on how late interrupt() takes effect.
constexpr GstClockTime kPullSlice = 20 * GST_MSECOND;

void init_gstreamer() {
  static std::once_flag once;
  static std::string error;
  std::call_once(once, [] {
    GError* e = nullptr;
    if (!gst_init_check(nullptr, nullptr, &e)) error = e != nullptr ? e->message : "unknown";
    g_clear_error(&e);
  });
  if (!error.empty()) {
    throw CameraError("cannot initialise GStreamer (" + error +
                      "); reinstall libgstreamer1.0-0 and gstreamer1.0-plugins-base");
  }
}

// "error from v4l2src0: Cannot identify device '/dev/video9'." from an error message.
std::string describe_error(GstMessage* message) {
  GError* e = nullptr;
  gchar* debug = nullptr;
  gst_message_parse_error(message, &e, &debug);
  std::string text = std::string("error from ") + GST_OBJECT_NAME(message->src) + ": " +
                     (e != nullptr ? e->message : "unknown");
  g_clear_error(&e);
  g_free(debug);
  return text;
}

// The first appsink of `bin` (a new reference), or null.
GstAppSink* find_appsink(GstBin* bin) {
  GstIterator* it = gst_bin_iterate_sinks(bin);
  GValue item = G_VALUE_INIT;
  GstAppSink* found = nullptr;
  while (found == nullptr && gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
    GstElement* element = GST_ELEMENT(g_value_get_object(&item));
    if (GST_IS_APP_SINK(element)) found = GST_APP_SINK(gst_object_ref(element));
    g_value_reset(&item);
  }
  g_value_unset(&item);
  gst_iterator_free(it);
  return found;
}

// Only the newest frame waits (or every frame, for a video read as fast as possible); BGR
// unless the pipeline's appsink already names its caps.
void configure_sink(GstAppSink* sink, const GstCameraOptions& options) {
  g_object_set(sink, "max-buffers", options.latest_only ? 1u : 2u, "drop",
               options.latest_only ? TRUE : FALSE, "emit-signals", FALSE, nullptr);
  if (options.sync) g_object_set(sink, "sync", *options.sync ? TRUE : FALSE, nullptr);
  GstCaps* caps = gst_app_sink_get_caps(sink);
  if (caps == nullptr) {
    caps = gst_caps_from_string("video/x-raw, format=BGR");
    gst_app_sink_set_caps(sink, caps);
  }
  gst_caps_unref(caps);
}

}  // namespace

// One built pipeline; destroying it stops it (state NULL) and releases it.
struct GstCamera::Pipeline {
  GstElement* element = nullptr;
  GstAppSink* sink = nullptr;
  GstBus* bus = nullptr;
  ~Pipeline() {
    if (element != nullptr) gst_element_set_state(element, GST_STATE_NULL);
    if (bus != nullptr) gst_object_unref(bus);
    if (sink != nullptr) gst_object_unref(sink);
    if (element != nullptr) gst_object_unref(element);
  }
  // The first error waiting on the bus, or ""; drops every other message (state changes,
  // tags, latency, ...), which would otherwise pile up on a bus nobody watches.
  std::string pop_error() const {
    std::string error;
    while (GstMessage* m = gst_bus_pop(bus)) {
      if (error.empty() && GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR) error = describe_error(m);
      gst_message_unref(m);
    }
    return error;
  }
};

GstCamera::GstCamera(GstCameraOptions options) : options_(std::move(options)) {
  init_gstreamer();
  open();
}

GstCamera::~GstCamera() = default;

void GstCamera::open() {
  pipeline_.reset();
  const std::string where = options_.what + " (GStreamer pipeline: " + options_.pipeline + ")";
  GError* error = nullptr;
  auto p = std::make_unique<Pipeline>();
  p->element = gst_parse_launch(options_.pipeline.c_str(), &error);
  if (error != nullptr || p->element == nullptr || !GST_IS_BIN(p->element)) {
    const std::string why = error != nullptr ? error->message : "not a pipeline of elements";
    g_clear_error(&error);
    throw CameraError("cannot build " + where + ": " + why + "; " + options_.remedy);
  }
  if (!options_.file.empty()) {
    GstElement* src = gst_bin_get_by_name(GST_BIN(p->element), "src");
    if (src != nullptr) g_object_set(src, "location", options_.file.c_str(), nullptr);
    if (src != nullptr) gst_object_unref(src);
  }
  p->sink = find_appsink(GST_BIN(p->element));
  if (p->sink == nullptr) {
    throw CameraError("cannot use " + where + ": it has no appsink; end it with `! appsink`");
  }
  configure_sink(p->sink, options_);
  // GStreamer's system clock counts CLOCK_MONOTONIC: base time + running time is then a
  // steady_clock time (the stamp of a live source's frame).
  GstClock* clock = gst_system_clock_obtain();
  gst_pipeline_use_clock(GST_PIPELINE(p->element), clock);
  gst_object_unref(clock);
  p->bus = gst_element_get_bus(p->element);
  if (gst_element_set_state(p->element, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    const std::string why = p->pop_error();
    throw CameraError("cannot start " + where + (why.empty() ? "" : ": " + why) + "; " +
                      options_.remedy);
  }
  pipeline_ = std::move(p);
  failed_ = ended_ = false;
  live_.reset();
}

void GstCamera::reopen() {
  interrupted_.store(false);
  open();
}

bool GstCamera::read(cv::Mat& bgr) {
  while (!interrupted_.load()) {
    if (!pipeline_ || failed_ || ended_ || !check_bus()) return false;
    GstSample* sample = gst_app_sink_try_pull_sample(pipeline_->sink, kPullSlice);
    if (sample != nullptr) {
      const bool ok = deliver(sample, bgr);
      gst_sample_unref(sample);
      return ok;
    }
    if (at_end_of_stream()) return false;
  }
  return false;
}

// False (and failed_) on an error message; warnings and state changes are dropped.
bool GstCamera::check_bus() {
  const std::string error = pipeline_->pop_error();
  if (error.empty()) return true;
  last_error_ = error;
  failed_ = true;
  return false;
}

// Handles the appsink's end of stream: a finite source loops or ends, anything else failed.
bool GstCamera::at_end_of_stream() {
  if (!gst_app_sink_is_eos(pipeline_->sink)) return false;
  if (!options_.finite) {
    last_error_ = "the stream ended (end of stream from the pipeline)";
    failed_ = true;
    return true;
  }
  if (!options_.loop) {
    ended_ = true;
    return true;
  }
  const auto flags = static_cast<GstSeekFlags>(GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_KEY_UNIT);
  if (gst_element_seek_simple(pipeline_->element, GST_FORMAT_TIME, flags, 0)) return false;
  try {  // the file cannot seek: start it again from scratch
    open();
    return false;
  } catch (const CameraError& e) {  // read() never throws: the grabber re-opens it later
    last_error_ = e.what();
    failed_ = true;
    return true;
  }
}

// Copies (or scales, when the pipeline delivers another size) the sample into `bgr`.
bool GstCamera::deliver(GstSample* sample, cv::Mat& bgr) {
  GstVideoInfo info;
  GstCaps* caps = gst_sample_get_caps(sample);
  if (caps == nullptr || !gst_video_info_from_caps(&info, caps) ||
      GST_VIDEO_INFO_FORMAT(&info) != GST_VIDEO_FORMAT_BGR) {
    last_error_ =
        "the appsink delivers " +
        std::string(caps != nullptr ? gst_structure_get_name(gst_caps_get_structure(caps, 0))
                                    : "no caps") +
        " not 8-bit BGR; end the pipeline with `videoconvert ! video/x-raw, "
        "format=BGR ! appsink`";
    return false;
  }
  GstVideoFrame frame;
  if (!gst_video_frame_map(&frame, &info, gst_sample_get_buffer(sample), GST_MAP_READ)) {
    last_error_ = "cannot map a buffer from the appsink";
    return false;
  }
  const cv::Mat view(GST_VIDEO_FRAME_HEIGHT(&frame), GST_VIDEO_FRAME_WIDTH(&frame), CV_8UC3,
                     GST_VIDEO_FRAME_PLANE_DATA(&frame, 0),
                     static_cast<std::size_t>(GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0)));
  if (view.cols == options_.width && view.rows == options_.height) {
    view.copyTo(bgr);
  } else {
    cv::resize(view, bgr, cv::Size(options_.width, options_.height), 0, 0, cv::INTER_AREA);
  }
  gst_video_frame_unmap(&frame);
  captured_at_ = stamp(sample);
  return true;
}

// The buffer's presentation time on CLOCK_MONOTONIC for a live pipeline (where sources stamp
// buffers at capture); TimePoint{} for files and other non-live pipelines, whose timestamps
// are positions in a recording.
TimePoint GstCamera::stamp(GstSample* sample) {
  if (!live_) {
    GstQuery* query = gst_query_new_latency();
    gboolean live = FALSE;
    if (gst_element_query(pipeline_->element, query)) {
      gst_query_parse_latency(query, &live, nullptr, nullptr);
    }
    gst_query_unref(query);
    live_ = live == TRUE;
  }
  const GstClockTime pts = GST_BUFFER_PTS(gst_sample_get_buffer(sample));
  const GstSegment* segment = gst_sample_get_segment(sample);
  if (!*live_ || !GST_CLOCK_TIME_IS_VALID(pts) || segment == nullptr) return {};
  const GstClockTime running = gst_segment_to_running_time(segment, GST_FORMAT_TIME, pts);
  if (!GST_CLOCK_TIME_IS_VALID(running)) return {};
  const GstClockTime at = gst_element_get_base_time(pipeline_->element) + running;
  return TimePoint(std::chrono::duration_cast<Duration>(std::chrono::nanoseconds(at)));
}

}  // namespace rcpilot::perception
