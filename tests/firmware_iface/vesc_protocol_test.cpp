#include "firmware_iface/vesc_protocol.hpp"

#include <gtest/gtest.h>

#include <random>

namespace rcpilot::fw::vesc {
namespace {

using Bytes = std::vector<std::uint8_t>;

TEST(VescFrame, set_duty_0_1_is_the_golden_frame) {
  EXPECT_EQ(set_duty(0.1f), (Bytes{0x02, 0x05, 0x05, 0x00, 0x00, 0x27, 0x10, 0xAE, 0x17, 0x03}));
}

TEST(VescFrame, servo_position_and_long_frames_are_encoded_as_specified) {
  const Bytes servo = set_servo_pos(0.5f);
  EXPECT_EQ(Bytes(servo.begin(), servo.begin() + 5), (Bytes{0x02, 0x03, 0x0C, 0x01, 0xF4}));
  EXPECT_EQ(set_servo_pos(7.0f)[4], 0xE8);  // clamped to 1.0 -> 1000 = 0x03E8
  const Bytes big = frame(Bytes(300, 0x11));
  EXPECT_EQ(big[0], 0x03);
  EXPECT_EQ(big[1], 0x01);
  EXPECT_EQ(big[2], 0x2C);
  EXPECT_EQ(big.size(), 3u + 300u + 3u);
}

TEST(VescDecoder, resynchronises_after_noise_and_rejects_bad_crc_length_and_end_byte) {
  Decoder d;
  Bytes stream = {0x02, 0x00, 0x03, 0x99, 0x02};  // zero length, junk, a start byte
  Bytes bad_crc = set_duty(0.2f);
  bad_crc[7] ^= 0x01;
  Bytes bad_end = set_duty(0.3f);
  bad_end.back() = 0x04;
  for (const Bytes* b : {&bad_crc, &bad_end}) stream.insert(stream.end(), b->begin(), b->end());
  const Bytes good = set_duty(0.1f);
  stream.insert(stream.end(), good.begin(), good.end());
  d.push(stream.data(), stream.size());
  const auto p = d.next();
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, (Bytes{0x05, 0x00, 0x00, 0x27, 0x10}));
  EXPECT_FALSE(d.next());
  EXPECT_GT(d.dropped_bytes(), 0u);
}

TEST(VescDecoderFuzz, random_noise_between_frames_never_loses_or_forges_a_command) {
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> byte(0, 255);
  Decoder d;
  int got = 0;
  for (int i = 0; i < 2000; ++i) {
    Bytes noise(static_cast<std::size_t>(byte(rng) % 20));
    for (auto& b : noise) b = static_cast<std::uint8_t>(byte(rng));
    d.push(noise.data(), noise.size());
    const Bytes f = set_rpm(static_cast<float>(i));
    d.push(f.data(), f.size());
    while (auto p = d.next()) {
      if (p->size() == 5 && (*p)[0] == static_cast<std::uint8_t>(CommId::kSetRpm)) ++got;
    }
  }
  // A noise byte 0x02/0x03 can start a candidate that swallows the next real frame until its
  // CRC fails; the decoder then slides and finds it: nothing is lost, nothing forged.
  EXPECT_EQ(got, 2000);
}

TEST(VescValues, get_values_reply_is_parsed_with_its_scaling) {
  Bytes p = {0x04, 0x01, 0xF4, 0x00, 0xC8};               // 50.0 C, 20.0 C
  auto i32 = [&](std::int32_t v) {
    for (int s = 24; s >= 0; s -= 8) p.push_back(static_cast<std::uint8_t>(static_cast<std::uint32_t>(v) >> s));
  };
  i32(1234);   // motor current 12.34 A
  i32(-250);   // input current -2.5 A
  i32(0);
  i32(0);
  p.push_back(0x00);
  p.push_back(0x64);  // duty 0.1
  i32(-4500);  // erpm
  p.push_back(0x00);
  p.push_back(0x7E);  // 12.6 V
  for (int k = 0; k < 4; ++k) i32(0);
  i32(777);    // tachometer
  i32(777);
  p.push_back(3);  // fault code
  const auto v = parse_values(p);
  ASSERT_TRUE(v);
  EXPECT_FLOAT_EQ(v->temp_fet_c, 50.0f);
  EXPECT_FLOAT_EQ(v->motor_current_a, 12.34f);
  EXPECT_FLOAT_EQ(v->erpm, -4500.0f);
  EXPECT_FLOAT_EQ(v->input_v, 12.6f);
  EXPECT_EQ(v->tachometer, 777);
  EXPECT_EQ(v->fault_code, 3);
  p.pop_back();
  EXPECT_FALSE(parse_values(p));
}

}  // namespace
}  // namespace rcpilot::fw::vesc
