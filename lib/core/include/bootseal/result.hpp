// SPDX-License-Identifier: GPL-2.0-only
// The one error model (docs/ERRORS.md): a fallible function returns
// Result<T, Kind>, a value or an Error<Kind>, where Kind is the closed enum
// of its module (Errc for generic failures, VerifyStatus, WriteFailure,
// TrailerFault, InstallFailure) and the message names the file, slot,
// offset or line. Programs map kinds to exit codes in one table each.
// (std::expected arrives with C++23; this is the subset bootseal needs.)
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace bootseal {

// Generic failures, the kind of every Result that names no module kind.
enum class Errc {
  failed,         // not classified further (the message says what and why)
  io,             // a read, write, sync or other system call failed
  not_found,      // a file, device or key that should be there is not
  too_large,      // over a size limit checked before reading
  invalid_input,  // the bytes or text given are not acceptable
};
constexpr std::string_view to_string(Errc kind) {
  switch (kind) {
    case Errc::failed: return "failed";
    case Errc::io: return "io";
    case Errc::not_found: return "not_found";
    case Errc::too_large: return "too_large";
    case Errc::invalid_input: return "invalid_input";
  }
  return "unknown";
}

// A failure: its kind, a message naming where ("slot B of /dev/vda3:
// checksum mismatch at offset 96"), and optional detail lines a program may
// log after the message (a verifier log).
template <typename Kind = Errc>
struct Error {
  Kind kind{};
  std::string message;
  std::string detail;

  Error(Kind k, std::string m, std::string d = {}) : kind(k), message(std::move(m)), detail(std::move(d)) {}
  // A generic failure: Error{message} (kind Errc::failed).
  // cppcheck-suppress noExplicitConstructor
  Error(std::string m)  // NOLINT(google-explicit-constructor)
    requires std::is_same_v<Kind, Errc>
      : kind(Errc::failed), message(std::move(m)) {}

  friend bool operator==(const Error&, const Error&) = default;
};
Error(std::string) -> Error<Errc>;

template <typename Kind>
Error<Kind> make_error(Kind kind, std::string message, std::string detail = {}) {
  return Error<Kind>(kind, std::move(message), std::move(detail));
}
inline Error<Errc> make_error(std::string message) { return Error<Errc>(Errc::failed, std::move(message)); }

template <typename T, typename Kind = Errc>
class [[nodiscard]] Result {
 public:
  using kind_type = Kind;

  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Error<Kind> error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // Only on failure: the whole error, its kind, its message.
  const Error<Kind>& failure() const { return std::get<1>(v_); }
  Kind kind() const { return failure().kind; }
  const std::string& error() const { return failure().message; }

 private:
  std::variant<T, Error<Kind>> v_;
};

// Result<void, Kind>: success or an error.
template <typename Kind>
class [[nodiscard]] Result<void, Kind> {
 public:
  using kind_type = Kind;

  Result() = default;
  // A sink parameter: its message is moved from, not copied.
  // cppcheck-suppress passedByValue
  Result(Error<Kind> error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error<Kind>& failure() const { return *error_; }
  Kind kind() const { return failure().kind; }
  // The message; empty on success (as it always was for Result<void>).
  const std::string& error() const {
    static const std::string kNone;
    return error_ ? error_->message : kNone;
  }

 private:
  std::optional<Error<Kind>> error_;
};

}  // namespace bootseal
