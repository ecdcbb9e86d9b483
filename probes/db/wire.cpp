#include "probes/db/wire.hpp"

#include <cstdint>

namespace ctxbench::db {

namespace {

void put_be32(std::string& s, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) s.push_back(static_cast<char>((v >> shift) & 0xff));
}

std::uint32_t be32(const char* p) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

// A MySQL packet: 3-byte little-endian payload length, sequence number, payload.
std::string mysql_packet(std::uint8_t seq, const std::string& payload) {
  std::string s;
  const std::size_t n = payload.size();
  s.push_back(static_cast<char>(n & 0xff));
  s.push_back(static_cast<char>((n >> 8) & 0xff));
  s.push_back(static_cast<char>((n >> 16) & 0xff));
  s.push_back(static_cast<char>(seq));
  return s + payload;
}

// PostgreSQL ErrorResponse: fields of (code byte, text\0); 'M' is the human-readable message.
std::string postgres_error_text(const char* body, std::size_t len) {
  std::string severity, message;
  std::size_t i = 0;
  while (i < len && body[i] != '\0') {
    const char code = body[i++];
    std::string text;
    while (i < len && body[i] != '\0') text.push_back(body[i++]);
    ++i;
    if (code == 'S') severity = text;
    if (code == 'M') message = text;
  }
  return severity + ": " + message;
}

bool consume_postgres(const char* data, std::size_t len, std::size_t& used) {
  while (len - used >= 5) {
    const char type = data[used];
    const std::uint32_t n = be32(data + used + 1);  // counts itself, not the type byte
    if (n < 4 || n > (1u << 24)) throw WireError("malformed PostgreSQL message (length " + std::to_string(n) + ")");
    if (len - used < 1 + n) return false;
    const char* body = data + used + 5;
    const std::size_t body_len = n - 4;
    used += 1 + n;
    if (type == 'E') throw WireError("PostgreSQL error: " + postgres_error_text(body, body_len));
    // Trust login answers AuthenticationOk (0); anything else asks for a password this client lacks.
    if (type == 'R' && (body_len < 4 || be32(body) != 0))
      throw WireError("the PostgreSQL server asks for authentication method " +
                      std::to_string(body_len >= 4 ? be32(body) : 0) + "; the probe's servers use trust");
    if (type == 'Z') {
      if (len != used) throw WireError("bytes after ReadyForQuery with one query outstanding");
      return true;
    }
  }
  return false;
}

std::string mysql_error_text(const std::string& payload) {
  // 0xff, 2-byte code, then "#" + 5-byte SQL state, then the message.
  const std::size_t code =
      payload.size() >= 3 ? (static_cast<unsigned char>(payload[1]) | (static_cast<unsigned char>(payload[2]) << 8))
                          : 0;
  std::size_t text_at = 3;
  if (payload.size() > 3 && payload[3] == '#') text_at = 9;
  return "MariaDB error " + std::to_string(code) + ": " + (payload.size() > text_at ? payload.substr(text_at) : "");
}

bool consume_mysql(WireState& s, const char* data, std::size_t len, std::size_t& used, std::string& reply) {
  while (len - used >= 4) {
    const std::size_t n = static_cast<unsigned char>(data[used]) | (static_cast<unsigned char>(data[used + 1]) << 8) |
                          (static_cast<std::size_t>(static_cast<unsigned char>(data[used + 2])) << 16);
    if (len - used < 4 + n) return false;
    const auto seq = static_cast<std::uint8_t>(data[used + 3]);
    const std::string payload(data + used + 4, n);
    used += 4 + n;
    const auto head = payload.empty() ? 0 : static_cast<unsigned char>(payload[0]);
    if (head == 0xff) throw WireError(mysql_error_text(payload));
    if (s.phase == Phase::Login) {
      if (s.first_packet) {
        // The server's greeting (protocol 10): answer with a HandshakeResponse41, empty password.
        s.first_packet = false;
        if (head != 10) throw WireError("MariaDB greeting with protocol " + std::to_string(head) + ", not 10");
        reply += s.greeting_answer;
        continue;
      }
      if (head == 0xfe) {  // auth switch: an empty password is an empty answer in every plugin we meet
        reply += mysql_packet(static_cast<std::uint8_t>(seq + 1), "");
        continue;
      }
      if (head == 0x00) return true;
      throw WireError("unexpected MariaDB login packet 0x" + std::to_string(head));
    }
    if (s.first_packet) {
      s.first_packet = false;
      if (head == 0x00) return true;  // OK: a statement without a result set
      continue;                       // column count
    }
    if (head == 0xfe && n < 9 && ++s.eofs == 2) return true;  // EOF after the columns, then after the rows
  }
  return false;
}

}  // namespace

std::string login_message(Protocol p, const std::string& user, const std::string& database) {
  if (p == Protocol::Postgres) {
    std::string body;
    put_be32(body, 196608);  // protocol 3.0
    for (const std::string& kv : {std::string("user"), user, std::string("database"), database}) body += kv + '\0';
    body.push_back('\0');
    std::string s;
    put_be32(s, static_cast<std::uint32_t>(body.size() + 4));
    return s + body;
  }
  // HandshakeResponse41, sequence 1: LONG_PASSWORD | LONG_FLAG | CONNECT_WITH_DB | PROTOCOL_41 |
  // TRANSACTIONS | SECURE_CONNECTION | PLUGIN_AUTH; max packet 16 MiB; charset utf8 (33).
  const std::uint32_t caps = 0x1 | 0x4 | 0x8 | 0x200 | 0x2000 | 0x8000 | 0x80000;
  std::string payload;
  for (int shift = 0; shift < 32; shift += 8) payload.push_back(static_cast<char>((caps >> shift) & 0xff));
  payload += std::string("\x00\x00\x00\x01", 4);
  payload.push_back(33);
  payload += std::string(23, '\0');
  payload += user + '\0';
  payload.push_back('\0');  // auth response length 0: empty password
  payload += database + '\0';
  payload += std::string("mysql_native_password") + '\0';
  return mysql_packet(1, payload);
}

std::string query_message(Protocol p, const std::string& sql) {
  if (p == Protocol::Postgres) {
    std::string s(1, 'Q');
    put_be32(s, static_cast<std::uint32_t>(sql.size() + 5));
    return s + sql + '\0';
  }
  return mysql_packet(0, "\x03" + sql);
}

std::string quit_message(Protocol p) {
  if (p == Protocol::Postgres) return std::string("X\0\0\0\x04", 5);
  return mysql_packet(0, "\x01");
}

bool consume(Protocol p, WireState& s, const char* data, std::size_t len, std::size_t& used, std::string& reply) {
  return p == Protocol::Postgres ? consume_postgres(data, len, used) : consume_mysql(s, data, len, used, reply);
}

}  // namespace ctxbench::db
