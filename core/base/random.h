// Randomness as the protocol machines see it: injected, like the clock, so a test can replay
// a client run exactly (DHCP xid, TFTP ports) and a real run draws from the kernel.
#pragma once

#include <cstdint>
#include <random>

namespace pxe {

class Random {
 public:
  virtual ~Random() = default;
  virtual std::uint32_t next() = 0;
};

// Deterministic: the same seed gives the same sequence on every platform (std::mt19937 is
// specified exactly by the standard).
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(std::uint32_t seed) : engine_(seed) {}
  std::uint32_t next() override { return static_cast<std::uint32_t>(engine_()); }

 private:
  std::mt19937 engine_;
};

// The kernel's generator (getrandom(2), blocking only until the pool is first initialised).
class SystemRandom final : public Random {
 public:
  std::uint32_t next() override;
};

}  // namespace pxe
