#pragma once
// A hint to the CPU inside a short busy-wait: it saves power and lets the sibling hardware
// thread run. Portable: x86 `pause`, Arm `yield`, nothing elsewhere.

namespace rcpilot {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
  asm volatile("yield" ::: "memory");
#endif
}

}  // namespace rcpilot
