// The two client protocols the db.* probes speak, as pure byte functions (no I/O): the PostgreSQL
// frontend/backend protocol 3.0 (simple query) and the MySQL/MariaDB client/server protocol (text
// COM_QUERY). Just enough for a trust / empty-password login and a one-row SELECT; the load generator
// (probes/db_load.cpp) owns the sockets. docs/METHODOLOGY.md, "The db.* probes".
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace ctxbench::db {

enum class Protocol { Postgres, MySql };

// The server answered with an error (its own text), or sent something this client cannot follow.
class WireError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What one connection is waiting for.
enum class Phase { Login, Query };

struct WireState {
  Phase phase = Phase::Login;
  bool first_packet = true;     // MySQL result: the first packet says OK / error / column count
  int eofs = 0;                 // MySQL result: EOF packets seen (the second ends the rows)
  std::string greeting_answer;  // MySQL: login_message(), sent when the server's greeting arrives
};

// The client's login: PostgreSQL's startup message, sent right after connecting; MySQL's handshake
// response, sent as the answer to the server's greeting (put it in WireState::greeting_answer).
std::string login_message(Protocol p, const std::string& user, const std::string& database);
std::string query_message(Protocol p, const std::string& sql);
// Polite goodbye before close (Terminate / COM_QUIT), so the server logs no broken connection.
std::string quit_message(Protocol p);

// Consumes whole messages from data[0, len): `used` says how many bytes; bytes to send back (MySQL's
// login answer) are appended to `reply`. Returns true when the phase's answer is complete (login
// accepted, or the query's result read to its end). Throws WireError on a server error.
bool consume(Protocol p, WireState& s, const char* data, std::size_t len, std::size_t& used, std::string& reply);

}  // namespace ctxbench::db
