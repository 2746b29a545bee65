// Result<T>: a value or an Error saying what was wrong and at which byte offset.
// Parsers return it instead of throwing; no exception crosses a module boundary.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace pxe {

struct Error {
  std::string what;       // what was expected and what was found
  std::size_t offset = 0; // byte offset into the input where it went wrong
  std::uint32_t code = 0; // a protocol status, when the caller maps errors to one (SMB2: NTSTATUS)
};

inline Error make_error(std::string what, std::size_t offset = 0) {
  Error e;
  e.what = std::move(what);
  e.offset = offset;
  return e;
}
// An error that carries a protocol status (`code`) for the caller to answer with.
inline Error make_status_error(std::uint32_t code, std::string what) {
  Error e = make_error(std::move(what));
  e.code = code;
  return e;
}

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}           // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}       // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { assert(!ok()); return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : err_(std::move(error)), failed_(true) {}  // NOLINT
  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const Error& error() const { assert(failed_); return err_; }

 private:
  Error err_;
  bool failed_ = false;
};

}  // namespace pxe
