#include "src/store/store.hpp"

#include <algorithm>
#include <cstdlib>

namespace ctxbench::store {
namespace {

struct Span {
  std::size_t pos, len;
};

// Where the URL holds a password: user:PASSWORD@host, and password=PASSWORD in the query string.
std::vector<Span> password_spans(const std::string& url) {
  std::vector<Span> out;
  const std::size_t scheme = url.find("://");
  if (scheme != std::string::npos) {
    const std::size_t start = scheme + 3;
    const std::size_t path = url.find_first_of("/?", start);
    const std::size_t at = url.rfind('@', path == std::string::npos ? std::string::npos : path);
    if (at != std::string::npos && at >= start) {
      const std::size_t colon = url.find(':', start);
      if (colon != std::string::npos && colon < at) out.push_back({colon + 1, at - colon - 1});
    }
  }
  for (std::size_t pos = url.find("password="); pos != std::string::npos; pos = url.find("password=", pos + 1)) {
    const std::size_t value = pos + 9;
    const std::size_t end = url.find('&', value);
    out.push_back({value, (end == std::string::npos ? url.size() : end) - value});
  }
  std::sort(out.begin(), out.end(), [](const Span& a, const Span& b) { return a.pos > b.pos; });
  return out;
}

}  // namespace

bool is_postgres_url(const std::string& spec) {
  return spec.rfind("postgresql://", 0) == 0 || spec.rfind("postgres://", 0) == 0;
}

std::string mask_password(const std::string& url) {
  std::string out = url;
  for (const Span& s : password_spans(url)) out.replace(s.pos, s.len, "***");  // last first: positions hold
  return out;
}

std::string hide_password(std::string text, const std::string& url) {
  for (const Span& s : password_spans(url)) {
    const std::string secret = url.substr(s.pos, s.len);
    if (secret.empty()) continue;
    for (std::size_t pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + 3))
      text.replace(pos, secret.size(), "***");
  }
  return text;
}

std::string default_store_spec() {
  const char* env = std::getenv("CTXBENCH_STORE");
  return env != nullptr && *env != '\0' ? std::string(env) : std::string("./ctxbench-history.sqlite");
}

std::unique_ptr<Connection> open_store(const std::string& spec, bool create) {
  if (spec.empty()) throw StoreError("--store needs a path or a postgresql:// URL");
  return is_postgres_url(spec) ? open_postgres(spec) : open_sqlite(spec, create);
}

}  // namespace ctxbench::store
