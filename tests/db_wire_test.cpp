// The db.* probes' two client protocols (probes/db/wire.hpp) on literal bytes: a result read to its end in
// one piece or in many, a server error surfacing with its text, MySQL's login answer sent at the greeting.
#include <gtest/gtest.h>

#include <string>

#include "probes/db/wire.hpp"

namespace {

using namespace ctxbench::db;

std::string pg_message(char type, const std::string& body) {
  std::string s(1, type);
  const auto n = static_cast<unsigned>(body.size() + 4);
  for (int shift = 24; shift >= 0; shift -= 8) s.push_back(static_cast<char>((n >> shift) & 0xff));
  return s + body;
}

std::string my_packet(unsigned char seq, const std::string& payload) {
  std::string s;
  s.push_back(static_cast<char>(payload.size() & 0xff));
  s.push_back(static_cast<char>((payload.size() >> 8) & 0xff));
  s.push_back(0);
  s.push_back(static_cast<char>(seq));
  return s + payload;
}

// Feeds `bytes` in chunks of `step` the way a socket might deliver them; returns the chunk count at which
// the phase completed (0: never).
int feed(Protocol p, WireState& s, const std::string& bytes, std::size_t step, std::string& reply) {
  std::string in;
  int chunk = 0;
  for (std::size_t at = 0; at < bytes.size(); at += step) {
    ++chunk;
    in += bytes.substr(at, step);
    std::size_t used = 0;
    const bool done = consume(p, s, in.data(), in.size(), used, reply);
    in.erase(0, used);
    if (done) return chunk;
  }
  return 0;
}

TEST(DbWire, PostgresQueryEndsAtReadyForQueryWhateverTheChunking) {
  const std::string result = pg_message('T', std::string(20, 'x')) + pg_message('D', std::string(130, 'c')) +
                             pg_message('C', std::string("SELECT 1") + '\0') + pg_message('Z', "I");
  for (std::size_t step : {result.size(), std::size_t{1}, std::size_t{7}}) {
    WireState s;
    s.phase = Phase::Query;
    std::string reply;
    const int chunks = feed(Protocol::Postgres, s, result, step, reply);
    EXPECT_EQ(chunks, static_cast<int>((result.size() + step - 1) / step)) << "step " << step;
    EXPECT_TRUE(reply.empty());
  }
}

TEST(DbWire, PostgresErrorCarriesTheServerMessage) {
  WireState s;
  std::string reply;
  static const char kError[] = "SFATAL\0C57P03\0Mthe database system is starting up\0";
  const std::string err = pg_message('E', std::string(kError, sizeof kError));  // the final \0 ends the fields
  try {
    feed(Protocol::Postgres, s, err, err.size(), reply);
    FAIL() << "no WireError";
  } catch (const WireError& e) {
    EXPECT_NE(std::string(e.what()).find("starting up"), std::string::npos) << e.what();
  }
  const std::string md5 = pg_message('R', std::string("\0\0\0\x05salt", 8));
  WireState s2;
  EXPECT_THROW(feed(Protocol::Postgres, s2, md5, md5.size(), reply), WireError);
}

TEST(DbWire, PostgresStartupAndQueryMessagesHaveTheirLengths) {
  const std::string startup = login_message(Protocol::Postgres, "u", "d");
  ASSERT_GE(startup.size(), 8u);
  EXPECT_EQ(static_cast<unsigned char>(startup[3]), startup.size());
  const std::string q = query_message(Protocol::Postgres, "SELECT 1");
  EXPECT_EQ(q[0], 'Q');
  EXPECT_EQ(static_cast<unsigned char>(q[4]), q.size() - 1);
  EXPECT_EQ(q.back(), '\0');
}

TEST(DbWire, MySqlLoginAnswersTheGreetingThenEndsAtOk) {
  WireState s;
  s.greeting_answer = login_message(Protocol::MySql, "ctxbench", "ctx");
  std::string reply;
  const std::string greeting = my_packet(0, std::string("\x0a"
                                                        "10.11.0\0",
                                                        9) +
                                                std::string(40, 'g'));
  EXPECT_EQ(feed(Protocol::MySql, s, greeting, greeting.size(), reply), 0);
  EXPECT_EQ(reply, s.greeting_answer);
  reply.clear();
  const std::string ok = my_packet(2, std::string("\x00\x00\x00\x02\x00\x00\x00", 7));
  EXPECT_EQ(feed(Protocol::MySql, s, ok, ok.size(), reply), 1);
}

TEST(DbWire, MySqlResultEndsAtTheSecondEofAndErrorsThrow) {
  const std::string result = my_packet(1, "\x01") + my_packet(2, std::string(40, 'd')) +
                             my_packet(3, std::string("\xfe\x00\x00\x02\x00", 5)) +
                             my_packet(4, std::string(121, 'c')) + my_packet(5, std::string("\xfe\x00\x00\x02\x00", 5));
  for (std::size_t step : {result.size(), std::size_t{1}, std::size_t{5}}) {
    WireState s;
    s.phase = Phase::Query;
    std::string reply;
    EXPECT_EQ(feed(Protocol::MySql, s, result, step, reply), static_cast<int>((result.size() + step - 1) / step));
  }
  WireState s;
  s.phase = Phase::Query;
  std::string reply;
  static const char kError[] = "\xff\x7a\x04#42S02Table 'ctx.nope' doesn't exist";
  const std::string err = my_packet(1, std::string(kError, sizeof kError - 1));
  try {
    feed(Protocol::MySql, s, err, err.size(), reply);
    FAIL() << "no WireError";
  } catch (const WireError& e) {
    EXPECT_NE(std::string(e.what()).find("doesn't exist"), std::string::npos) << e.what();
  }
}

}  // namespace
