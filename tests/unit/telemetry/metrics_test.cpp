#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <thread>
#include <vector>

#include "telemetry/metrics.hpp"

using namespace ambient::telemetry;
using Catch::Matchers::Contains;

TEST_CASE("a counter encodes as HELP, TYPE and one sample", "[telemetry]") {
  registry reg;
  auto& c = reg.add_counter("ambient_pushes_total", "xDS pushes sent.");
  c.inc();
  c.inc(2);
  CHECK(c.value() == 3);
  CHECK(reg.encode()
        == "# HELP ambient_pushes_total xDS pushes sent.\n"
           "# TYPE ambient_pushes_total counter\n"
           "ambient_pushes_total 3\n");
}

TEST_CASE("a gauge with labels encodes its labels in the order given", "[telemetry]") {
  registry reg;
  reg.add_gauge("ambient_proxies", "Connected proxies.", {{"cluster", "c1"}, {"kind", "ztunnel"}})
      .set(2.5);
  CHECK(reg.encode()
        == "# HELP ambient_proxies Connected proxies.\n"
           "# TYPE ambient_proxies gauge\n"
           "ambient_proxies{cluster=\"c1\",kind=\"ztunnel\"} 2.5\n");
}

TEST_CASE("a histogram encodes cumulative buckets, +Inf, sum and count", "[telemetry]") {
  registry reg;
  auto& h = reg.add_histogram("ambient_push_seconds", "Push latency.", {0.25, 1, 2.5},
                              {{"cluster", "c1"}});
  for (double v : {0.125, 0.25, 0.5, 2.0, 100.0})
    h.observe(v);
  CHECK(reg.encode()
        == "# HELP ambient_push_seconds Push latency.\n"
           "# TYPE ambient_push_seconds histogram\n"
           "ambient_push_seconds_bucket{cluster=\"c1\",le=\"0.25\"} 2\n"
           "ambient_push_seconds_bucket{cluster=\"c1\",le=\"1\"} 3\n"
           "ambient_push_seconds_bucket{cluster=\"c1\",le=\"2.5\"} 4\n"
           "ambient_push_seconds_bucket{cluster=\"c1\",le=\"+Inf\"} 5\n"
           "ambient_push_seconds_sum{cluster=\"c1\"} 102.875\n"
           "ambient_push_seconds_count{cluster=\"c1\"} 5\n");
  auto snap = h.read();
  CHECK(snap.cumulative == std::vector<std::uint64_t>{2, 3, 4, 5});
  CHECK(snap.count == 5);
  CHECK(snap.sum == 102.875);
}

TEST_CASE("a histogram without labels puts only le in braces", "[telemetry]") {
  registry reg;
  reg.add_histogram("h", "H.", {1}).observe(3);
  CHECK(reg.encode()
        == "# HELP h H.\n# TYPE h histogram\n"
           "h_bucket{le=\"1\"} 0\nh_bucket{le=\"+Inf\"} 1\nh_sum 3\nh_count 1\n");
}

TEST_CASE("a value on a bucket bound counts in that bucket", "[telemetry]") {
  histogram h{{1, 2}};
  h.observe(1.0);
  h.observe(std::nextafter(1.0, 2.0));
  h.observe(2.0);
  h.observe(-std::numeric_limits<double>::infinity());
  CHECK(h.read().cumulative == std::vector<std::uint64_t>{2, 4, 4});
}

TEST_CASE("help text and label values are escaped", "[telemetry]") {
  registry reg;
  reg.add_counter("m_total", "Line one\nsays \"back\\slash\"", {{"path", "a\"b\\c\nd"}}).inc();
  CHECK(reg.encode()
        == "# HELP m_total Line one\\nsays \"back\\\\slash\"\n"
           "# TYPE m_total counter\n"
           "m_total{path=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST_CASE("families sort by name and series by label values", "[telemetry]") {
  registry reg;
  reg.add_counter("b_total", "B.").inc();
  reg.add_counter("a_total", "A.").inc(2);
  for (const char* c : {"z", "a", "m"})
    reg.add_gauge("c", "C.", {{"cluster", c}, {"zone", "1"}}).set(1);
  reg.add_gauge("c", "C.", {{"cluster", "a"}, {"zone", "0"}}).set(0);
  CHECK(reg.encode()
        == "# HELP a_total A.\n# TYPE a_total counter\na_total 2\n"
           "# HELP b_total B.\n# TYPE b_total counter\nb_total 1\n"
           "# HELP c C.\n# TYPE c gauge\n"
           "c{cluster=\"a\",zone=\"0\"} 0\nc{cluster=\"a\",zone=\"1\"} 1\n"
           "c{cluster=\"m\",zone=\"1\"} 1\nc{cluster=\"z\",zone=\"1\"} 1\n");
}

TEST_CASE("the same name and labels return the same object, at a stable address", "[telemetry]") {
  registry reg;
  auto& a = reg.add_counter("x_total", "X.", {{"cluster", "c1"}});
  a.inc(7);
  CHECK(&reg.add_counter("x_total", "X.", {{"cluster", "c2"}}) != &a);
  for (int i = 0; i < 1000; ++i)
    reg.add_counter("x_total", "X.", {{"cluster", "n" + std::to_string(i)}});
  auto& again = reg.add_counter("x_total", "X.", {{"cluster", "c1"}});
  CHECK(&again == &a);
  CHECK(again.value() == 7);
  auto& h = reg.add_histogram("h", "H.", {1, 2});
  CHECK(&reg.add_histogram("h", "H.", {1, 2}) == &h);
}

TEST_CASE("registering a family again with another shape throws naming the metric", "[telemetry]") {
  registry reg;
  reg.add_counter("x_total", "X.", {{"cluster", "c1"}});
  reg.add_histogram("lat", "L.", {1, 2});
  CHECK_THROWS_WITH(reg.add_gauge("x_total", "X.", {{"cluster", "c1"}}),
                    Contains("x_total") && Contains("counter"));
  CHECK_THROWS_WITH(reg.add_counter("x_total", "Other.", {{"cluster", "c1"}}),
                    Contains("x_total") && Contains("help"));
  CHECK_THROWS_WITH(reg.add_counter("x_total", "X.", {{"zone", "z"}}),
                    Contains("x_total") && Contains("[cluster]"));
  CHECK_THROWS_WITH(reg.add_counter("x_total", "X."), Contains("x_total"));
  CHECK_THROWS_WITH(reg.add_histogram("lat", "L.", {1, 3}), Contains("lat") && Contains("bounds"));
  CHECK_THROWS_AS(reg.add_counter("lat", "L."), std::invalid_argument);
}

TEST_CASE("invalid metric names, label names and bounds throw naming the metric", "[telemetry]") {
  registry reg;
  for (const char* bad : {"", "1abc", "a-b", "a b", "é"})
    CHECK_THROWS_AS(reg.add_counter(bad, "B."), std::invalid_argument);
  CHECK_NOTHROW(reg.add_counter("ambient:rate_total", "Colons are fine in metric names."));
  for (const char* bad : {"", "a:b", "1a", "__reserved", "a-b"})
    CHECK_THROWS_WITH(reg.add_counter("ok_total", "O.", {{bad, "v"}}), Contains("ok_total"));
  CHECK_THROWS_WITH(reg.add_counter("dup_total", "D.", {{"a", "1"}, {"a", "2"}}),
                    Contains("dup_total") && Contains("repeated"));
  CHECK_THROWS_WITH(reg.add_histogram("h", "H.", {1}, {{"le", "1"}}), Contains("\"le\""));
  CHECK_NOTHROW(reg.add_counter("le_total", "le is fine outside histograms.", {{"le", "1"}}));
  const double inf = std::numeric_limits<double>::infinity();
  for (const auto& bounds : std::vector<std::vector<double>>{{}, {1, 1}, {2, 1}, {1, inf}, {NAN}})
    CHECK_THROWS_WITH(reg.add_histogram("bad_h", "B.", bounds), Contains("bad_h"));
  CHECK_THROWS_AS(histogram{std::vector<double>{}}, std::invalid_argument);
  CHECK(reg.encode().find("bad_h") == std::string::npos); // a failed call registers nothing
}

TEST_CASE("remove drops one series and keeps the family's HELP and TYPE", "[telemetry]") {
  registry reg;
  reg.add_gauge("g", "G.", {{"cluster", "c1"}}).set(4);
  reg.add_gauge("g", "G.", {{"cluster", "c2"}}).set(5);
  CHECK(reg.remove("g", {{"cluster", "c1"}}));
  CHECK_FALSE(reg.remove("g", {{"cluster", "c1"}}));
  CHECK_FALSE(reg.remove("g", {{"zone", "c2"}}));
  CHECK_FALSE(reg.remove("nope", {}));
  CHECK(reg.encode() == "# HELP g G.\n# TYPE g gauge\ng{cluster=\"c2\"} 5\n");
  CHECK(reg.remove("g", {{"cluster", "c2"}}));
  CHECK(reg.encode() == "# HELP g G.\n# TYPE g gauge\n");
  CHECK(reg.add_gauge("g", "G.", {{"cluster", "c1"}}).value() == 0); // a fresh series
}

TEST_CASE("concurrent updates from four threads are never lost", "[telemetry]") {
  registry reg;
  auto& c = reg.add_counter("c_total", "C.");
  auto& g = reg.add_gauge("g", "G.");
  auto& h = reg.add_histogram("h", "H.", {0.5, 2});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 100000; ++i) {
        c.inc();
        g.add(1);
        h.observe(1);
      }
    });
  bool scraped = true; // Catch2 assertions are not thread-safe: check after join
  std::thread scraper{[&] {
    for (int i = 0; i < 50; ++i)
      scraped = scraped && !reg.encode().empty();
  }};
  for (auto& t : threads)
    t.join();
  scraper.join();
  CHECK(scraped);
  CHECK(c.value() == 400000);
  CHECK(g.value() == 400000.0);
  auto snap = h.read();
  CHECK(snap.count == 400000);
  CHECK(snap.sum == 400000.0);
  CHECK(snap.cumulative == std::vector<std::uint64_t>{0, 400000, 400000});
}

TEST_CASE("a gauge can be set and moved both ways", "[telemetry]") {
  gauge g;
  CHECK(g.value() == 0);
  g.set(5);
  g.add(-7.5);
  CHECK(g.value() == -2.5);
  g.add(2.5);
  CHECK(g.value() == 0);
}

TEST_CASE("numbers print as integers, shortest doubles, +Inf, -Inf and NaN", "[telemetry]") {
  registry reg;
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<std::pair<double, std::string>> cases{{3, "3"},
                                                    {1e6, "1000000"},
                                                    {-42, "-42"},
                                                    {0.1, "0.1"},
                                                    {1.0 / 3, "0.3333333333333333"},
                                                    {1e20, "1e+20"},
                                                    {inf, "+Inf"},
                                                    {-inf, "-Inf"},
                                                    {NAN, "NaN"}};
  for (std::size_t i = 0; i < cases.size(); ++i)
    reg.add_gauge("g", "G.", {{"i", std::to_string(i)}}).set(cases[i].first);
  auto out = reg.encode();
  for (std::size_t i = 0; i < cases.size(); ++i)
    CHECK_THAT(out, Contains("g{i=\"" + std::to_string(i) + "\"} " + cases[i].second + "\n"));
  reg.add_histogram("h", "H.", {1}).observe(NAN);
  CHECK_THAT(reg.encode(), Contains("h_bucket{le=\"+Inf\"} 1\nh_sum NaN\nh_count 1\n"));
}

TEST_CASE("exponential buckets grow by the factor and refuse bad arguments", "[telemetry]") {
  CHECK(exponential_buckets(0.5, 2, 4) == std::vector<double>{0.5, 1, 2, 4});
  CHECK_THROWS_AS(exponential_buckets(0, 2, 3), std::invalid_argument);
  CHECK_THROWS_AS(exponential_buckets(1, 1, 3), std::invalid_argument);
  CHECK_THROWS_AS(exponential_buckets(1, 2, 0), std::invalid_argument);
  CHECK_THROWS_AS(exponential_buckets(1e300, 1e10, 3), std::invalid_argument);
}

TEST_CASE("the default registry is one process-wide object", "[telemetry]") {
  CHECK(&default_registry() == &default_registry());
  CHECK(prometheus_content_type == "text/plain; version=0.0.4; charset=utf-8");
}
