// Export packages: the streaming JSON writer, CSV and HTML escaping, ZIPs built from staged
// files, and the access and portability packages of a small shop (their members and bytes).

#include "fulfillment/package/package.h"

#include <sys/stat.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <ctime>

#include "fulfillment/connectors/sql/fulfiller.h"
#include "fulfillment/helpers.h"
#include "fulfillment/package/index_html.h"
#include "fulfillment/systems_map.h"

using namespace dsar;
using namespace dsar::fulfillment;
using namespace dsar::fulfillment::testing;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

// Writes `v` through the JsonWriter's streaming calls, the way an export does (containers opened,
// keys and scalars one by one), using Value for the members named in `whole`.
void Stream(JsonWriter& w, const json::value& v) {
  switch (v.kind()) {
    case json::kind::object:
      w.BeginObject();
      for (const auto& kv : v.get_object()) {
        w.Key(kv.key());
        if (kv.key() == "whole") {
          w.Value(kv.value());
        } else {
          Stream(w, kv.value());
        }
      }
      w.EndObject();
      return;
    case json::kind::array:
      w.BeginArray();
      for (const auto& item : v.get_array()) Stream(w, item);
      w.EndArray();
      return;
    case json::kind::string:
      w.String(v.get_string());
      return;
    case json::kind::int64:
      w.Int(v.get_int64());
      return;
    case json::kind::double_:
      w.Double(v.get_double());
      return;
    case json::kind::bool_:
      w.Bool(v.get_bool());
      return;
    case json::kind::null:
      w.Null();
      return;
    default:
      w.Value(v);
  }
}

// The shop: customers (Ann is the subject; her name carries markup), orders linked through
// customers, reviews (none of Ann's), a withheld column and two columns the map does not describe.
const char* kShopMap = R"YAML(version: 1
system: Example Shop database
controller: { name: "Example Shop & Co.", contact: privacy@shop.example }
automated_decision_making: We make no automated decisions about you.
rights: Write to privacy@shop.example to use them.
subject: { table: customers, id: id, email: email }
tables:
  customers:
    description: Customer accounts <main>
    link: { column: id, matches: account_id }
    category: account data
    purpose: selling things
    source: the data subject
    recipients: [shop staff]
    retention: 2 years after the last order
    erase: delete
    fields:
      id: { provided_by_subject: false, source: assigned by the shop }
      email: { category: contact data, provided_by_subject: true }
      name: { provided_by_subject: true }
      risk: { withheld: an internal fraud score, provided_by_subject: false, source: computed by the shop }
  orders:
    description: Orders
    link: { column: customer_id, via: customers, references: id }
    category: order data
    purpose: delivering orders
    source: the data subject
    recipients: [shop staff, "parcel carrier (processor)"]
    retention: 10 years (tax law)
    erase: delete
    fields:
      id: { provided_by_subject: false }
      customer_id: { provided_by_subject: false }
      item: { provided_by_subject: true }
      price: { provided_by_subject: false }
  reviews:
    description: Product reviews
    link: { column: customer_id, matches: account_id }
    category: user content
    purpose: showing reviews
    source: the data subject
    recipients: [the public]
    retention: until deleted
    erase: delete
    fields:
      id: { provided_by_subject: false }
      customer_id: { provided_by_subject: false }
      text: { provided_by_subject: true }
)YAML";

const char* kAnnName = "Ann <script>alert(1)</script> Lee";

struct Shop {
  TempDir dir;
  std::string db = dir / "shop.db";
  std::string exports = dir / "exports";
  std::shared_ptr<const SystemsMap> map;

  Shop() {
    WriteFile(dir / "systems.yaml", kShopMap);
    auto loaded = LoadSystemsMap(dir / "systems.yaml");
    INFO(loaded.status().ToString());
    REQUIRE(loaded.ok());
    map = *loaded;
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(db.c_str(), &raw) == SQLITE_OK);
    sqlite3_close(raw);
    Sql(db, R"SQL(
CREATE TABLE customers (id TEXT PRIMARY KEY, email TEXT NOT NULL, name TEXT, risk REAL, note TEXT);
INSERT INTO customers VALUES ('c1', 'Ann@Example.com', 'Ann <script>alert(1)</script> Lee', 0.25, 'vip'),
                             ('c2', 'bob@example.com', 'Bob', 0.5, NULL),
                             ('c3', 'cy@example.com', 'Cy', 0.1, NULL);
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id TEXT, item TEXT, price REAL, label BLOB);
INSERT INTO orders VALUES (1, 'c1', 'Book, "used"', 12.5, x'00ff'), (2, 'c2', 'Pen', 1.0, NULL),
                          (3, 'c1', 'Lamp' || char(10) || 'red', NULL, NULL), (4, 'c1', 'Cup', 3, NULL);
CREATE TABLE reviews (id INTEGER PRIMARY KEY, customer_id TEXT, text TEXT);
INSERT INTO reviews VALUES (1, 'c2', 'meh');
)SQL");
  }

  Fulfiller fulfiller() const { return Fulfiller(map, db, exports); }
  std::string Package(const std::string& reference, const std::string& file) const {
    return exports + "/" + reference + "/" + file;
  }
};

DataSubject Ann() {
  DataSubject s;
  s.email = "ann@example.com";
  s.name = kAnnName;
  return s;
}

// Everything under `dir`, relative, sorted.
std::vector<std::string> Tree(const std::string& dir) {
  std::vector<std::string> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) out.push_back(fs::relative(e.path(), dir).string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("JsonWriter writes exactly PrettyJson's bytes, value by value", "[fulfillment][package]") {
  const json::value doc = json::parse(R"({
    "format": "x/1", "empty_object": {}, "empty_array": [], "n": -42, "big": 9007199254740993,
    "d": 0.1, "whole_double": 3.0, "t": true, "f": false, "nothing": null,
    "text": "quote \" backslash \\ tab \t newline \n bell \u0007 unicode é ✓",
    "tables": {"a": {"rows": [{"x": 1, "y": [1, [2, {}], {"z": null}]}, {}]}, "b": {"rows": []}},
    "whole": {"nested": [1, 2, {"k": "v"}], "e": {}},
    "list": [[], [[]], {"whole": [true, {"a": []}]}]
  })");
  TempDir dir;
  OutputFile out;
  REQUIRE(out.Open(dir / "doc.json").ok());
  JsonWriter w(out);
  Stream(w, doc);
  w.Finish();
  REQUIRE(out.Close().ok());
  const std::string text = ReadFile(dir / "doc.json");
  CHECK(text == PrettyJson(doc));
  CHECK(json::parse(text).at("tables") == doc.at("tables"));  // (3.0 reads back as the integer 3)
  CHECK(out.size() == text.size());
  CHECK((fs::status(dir / "doc.json").permissions() & (fs::perms::group_all | fs::perms::others_all)) ==
        fs::perms::none);

  // Larger than the buffer: written in pieces, still the same bytes.
  json::array rows;
  for (int i = 0; i < 20000; ++i) rows.push_back(json::object{{"i", i}, {"s", std::string(20, 'a' + i % 26)}});
  const json::value big = json::object{{"rows", rows}};
  OutputFile out2;
  REQUIRE(out2.Open(dir / "big.json").ok());
  JsonWriter w2(out2);
  Stream(w2, big);
  w2.Finish();
  REQUIRE(out2.Close().ok());
  CHECK(ReadFile(dir / "big.json") == PrettyJson(big));
}

TEST_CASE("JSON strings are escaped as boost::json escapes them", "[fulfillment][package]") {
  for (int c = 0; c < 256; ++c) {
    const std::string s = "a" + std::string(1, static_cast<char>(c)) + "b";
    std::string mine;
    AppendJsonString(mine, s);
    INFO("byte " << c);
    CHECK(mine == json::serialize(json::value(json::string_view(s))));
  }
  std::string s;
  AppendJsonString(s, "Se\xC3\xA1n \"O'Brien\"\r\n");
  CHECK(s == "\"Se\xC3\xA1n \\\"O'Brien\\\"\\r\\n\"");
}

TEST_CASE("CSV records follow RFC 4180", "[fulfillment][package]") {
  CHECK(CsvRecord({"a", "b"}) == "a,b\r\n");
  CHECK(CsvRecord({"", "", ""}) == ",,\r\n");
  CHECK(CsvRecord({"a,b", "say \"hi\"", "two\nlines", "cr\r"}) ==
        "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\"\r\n");
  CHECK(CsvRecord({" lead", "trail ", "\ttab", "in side"}) == "\" lead\",\"trail \",\"\ttab\",in side\r\n");
  CHECK(CsvRecord({"\"\""}) == "\"\"\"\"\"\"\r\n");
  std::string out = "x\r\n";
  AppendCsvRecord(out, {"1", "=SUM(A1)"});
  CHECK(out == "x\r\n1,=SUM(A1)\r\n");
}

TEST_CASE("HTML escaping covers text and attribute values", "[fulfillment][package]") {
  CHECK(HtmlEscape("<script>alert('x') & \"y\"</script>") ==
        "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;");
  CHECK(HtmlEscape("Se\xC3\xA1n") == "Se\xC3\xA1n");
  CHECK(HtmlEscape("") == "");
  CHECK(FormatCount(0) == "0");
  CHECK(FormatCount(999) == "999");
  CHECK(FormatCount(1000) == "1,000");
  CHECK(FormatCount(1234567) == "1,234,567");
}

TEST_CASE("a ZIP built from files depends only on the files' contents", "[fulfillment][package]") {
  TempDir dir;
  fs::create_directories(dir / "a");
  fs::create_directories(dir / "b");
  std::string big;
  for (int i = 0; i < 100000; ++i) big += "row " + std::to_string(i) + "\r\n";
  for (const char* sub : {"a", "b"}) {
    WriteFile(dir / (std::string(sub) + "/one.txt"), "first member\n");
    WriteFile(dir / (std::string(sub) + "/two.csv"), big);
  }
  // Different times and modes on the second set of files.
  fs::last_write_time(dir / "b/one.txt", fs::file_time_type::clock::now() - std::chrono::hours(500));
  fs::permissions(dir / "b/two.csv", fs::perms::owner_read);
  const std::string za = dir / "a.zip", zb = dir / "b.zip";
  REQUIRE(WriteZipFromFiles(za, {{"index.html", dir / "a/one.txt"}, {"t/two.csv", dir / "a/two.csv"}}).ok());
  REQUIRE(WriteZipFromFiles(zb, {{"index.html", dir / "b/one.txt"}, {"t/two.csv", dir / "b/two.csv"}}).ok());
  CHECK(ReadFile(za) == ReadFile(zb));
  CHECK(ReadFile(za).size() < big.size() / 4);  // deflated

  CHECK(ZipNames(za) == std::vector<std::string>{"index.html", "t/two.csv"});
  CHECK(ZipEntry(za, "index.html") == "first member\n");
  CHECK(ZipEntry(za, "t/two.csv") == big);
  int err = 0;
  zip_t* z = zip_open(za.c_str(), ZIP_RDONLY, &err);
  REQUIRE(z);
  for (zip_uint64_t i = 0; i < 2; ++i) {
    zip_stat_t st;
    REQUIRE(zip_stat_index(z, i, 0, &st) == 0);
    std::tm tm{};
    const std::time_t t = st.mtime;
    localtime_r(&t, &tm);  // DOS times are local
    CHECK(tm.tm_year == 80);
    CHECK(tm.tm_mon == 0);
    CHECK(tm.tm_mday == 1);
    CHECK(tm.tm_hour == 0);
    CHECK(st.comp_method == ZIP_CM_DEFLATE);
    zip_uint8_t opsys = 0;
    zip_uint32_t attributes = 0;
    REQUIRE(zip_file_get_external_attributes(z, i, 0, &opsys, &attributes) == 0);
    CHECK(opsys == ZIP_OPSYS_UNIX);
    CHECK(attributes == (0100644u << 16));
  }
  zip_close(z);
  // Written in place of an older archive; no temporary file left.
  REQUIRE(WriteZipFromFiles(za, {{"only.txt", dir / "a/one.txt"}}).ok());
  CHECK(ZipNames(za) == std::vector<std::string>{"only.txt"});
  CHECK(Tree(dir.str()) == std::vector<std::string>{"a", "a.zip", "a/one.txt", "a/two.csv", "b", "b.zip",
                                                    "b/one.txt", "b/two.csv"});
  // A missing member file fails, and leaves the archive as it was.
  const std::string before = ReadFile(za);
  const Status missing = WriteZipFromFiles(za, {{"x.txt", dir / "a/none.txt"}});
  CHECK(missing.IsIoError());
  CHECK(ReadFile(za) == before);
}

TEST_CASE("the access package of the shop: members and their bytes", "[fulfillment][package]") {
  Shop shop;
  const auto before = Dump(shop.db, "customers");
  auto r = shop.fulfiller().Run("export_access", "A-1", Ann(), kNow);
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  const std::string zip = shop.Package("A-1", "access.zip");
  CHECK(r->files == std::vector<std::string>{zip});
  CHECK(json::value(r->summary) == json::parse(R"({
    "step": "export_access", "reference": "A-1", "found": true,
    "message": "We hold 4 records about you in 2 tables of Example Shop database; your access package holds all of them.",
    "file": ")" + zip + R"(", "generated_at": "2026-11-20T09:00:00Z",
    "tables": {"customers": {"rows": 1}, "orders": {"rows": 3}, "reviews": {"rows": 0}},
    "total_rows": 4, "unmapped_columns": {"customers": ["note"], "orders": ["label"]}})"));

  // No CSV for a table without rows; the staging folder is gone.
  CHECK(ZipNames(zip) == std::vector<std::string>{"index.html", "data.json", "customers.csv", "orders.csv"});
  CHECK(Tree(shop.exports) == std::vector<std::string>{"A-1", "A-1/access.zip"});

  // CSV: a header of column names, every column but the withheld one, RFC 4180, NULL empty,
  // BLOBs in hex, reals in shortest form.
  CHECK(ZipEntry(zip, "customers.csv") == "id,email,name,note\r\nc1,Ann@Example.com,Ann <script>alert(1)</script> Lee,vip\r\n");
  CHECK(ZipEntry(zip, "orders.csv") ==
        "id,customer_id,item,price,label\r\n"
        "1,c1,\"Book, \"\"used\"\"\",12.5,00ff\r\n"
        "3,c1,\"Lamp\nred\",,\r\n"
        "4,c1,Cup,3,\r\n");

  // data.json: every table of the map with its metadata, the rows without the withheld field.
  const std::string data = ZipEntry(zip, "data.json");
  const json::value expected = json::parse(R"J({
    "format": "dsar-access-export/1", "reference": "A-1", "generated_at": "2026-11-20T09:00:00Z",
    "system": "Example Shop database",
    "controller": {"name": "Example Shop & Co.", "contact": "privacy@shop.example"},
    "automated_decision_making": "We make no automated decisions about you.",
    "tables": {
      "customers": {
        "description": "Customer accounts <main>", "category": "account data", "purpose": "selling things",
        "source": "the data subject", "recipients": ["shop staff"], "retention": "2 years after the last order",
        "fields": {
          "id": {"category": "account data", "provided_by_subject": false, "source": "assigned by the shop"},
          "email": {"category": "contact data", "provided_by_subject": true},
          "name": {"category": "account data", "provided_by_subject": true},
          "risk": {"category": "account data", "provided_by_subject": false, "source": "computed by the shop",
                   "withheld": "an internal fraud score"},
          "note": {"category": "unclassified", "note": "not described by the systems map"}},
        "rows": [{"id": "c1", "email": "Ann@Example.com", "name": "Ann <script>alert(1)</script> Lee", "note": "vip"}]},
      "orders": {
        "description": "Orders", "category": "order data", "purpose": "delivering orders",
        "source": "the data subject", "recipients": ["shop staff", "parcel carrier (processor)"],
        "retention": "10 years (tax law)",
        "fields": {
          "id": {"category": "order data", "provided_by_subject": false},
          "customer_id": {"category": "order data", "provided_by_subject": false},
          "item": {"category": "order data", "provided_by_subject": true},
          "price": {"category": "order data", "provided_by_subject": false},
          "label": {"category": "unclassified", "note": "not described by the systems map"}},
        "rows": [{"id": 1, "customer_id": "c1", "item": "Book, \"used\"", "price": 12.5, "label": "00ff"},
                 {"id": 3, "customer_id": "c1", "item": "Lamp\nred", "price": null, "label": null},
                 {"id": 4, "customer_id": "c1", "item": "Cup", "price": 3.0, "label": null}]},
      "reviews": {
        "description": "Product reviews", "category": "user content", "purpose": "showing reviews",
        "source": "the data subject", "recipients": ["the public"], "retention": "until deleted",
        "fields": {
          "id": {"category": "user content", "provided_by_subject": false},
          "customer_id": {"category": "user content", "provided_by_subject": false},
          "text": {"category": "user content", "provided_by_subject": true}},
        "rows": []}}})J");
  CHECK(data == PrettyJson(expected));
  CHECK(data.find("0.25") == std::string::npos);  // the withheld score

  // index.html: for people; every value escaped, counts and links, the Art. 15 information.
  const std::string html = ZipEntry(zip, "index.html");
  CHECK(html.rfind("<!DOCTYPE html>\n<html lang=\"en\">\n", 0) == 0);
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("<main>") == std::string::npos);
  CHECK_THAT(html, Catch::Contains("<title>Your personal data — request A-1</title>"));
  CHECK_THAT(html, Catch::Contains("<h1>Your personal data held by Example Shop &amp; Co.</h1>"));
  CHECK_THAT(html, Catch::Contains("request <strong>A-1</strong> of Ann &lt;script&gt;alert(1)&lt;/script&gt; Lee "
                                   "(ann@example.com). It was prepared on 2026-11-20 (UTC). It holds every record "
                                   "about you that we found in Example Shop database: 4 records in 2 tables.</p>"));
  CHECK_THAT(html, Catch::Contains("<dt>Contact</dt><dd>privacy@shop.example</dd>"));
  CHECK_THAT(html, Catch::Contains("<a href=\"data.json\">data.json</a>"));
  CHECK_THAT(html, Catch::Contains("<tr><td>customers</td><td>Customer accounts &lt;main&gt;</td><td>account data</td>"
                                   "<td class=\"n\">1</td><td><a href=\"customers.csv\">customers.csv</a></td></tr>"));
  CHECK_THAT(html, Catch::Contains("<tr><td>orders</td><td>Orders</td><td>order data</td><td class=\"n\">3</td>"
                                   "<td><a href=\"orders.csv\">orders.csv</a></td></tr>"));
  CHECK_THAT(html, Catch::Contains("<tr><td>reviews</td><td>Product reviews</td><td>user content</td>"
                                   "<td class=\"n\">0</td><td>—</td></tr>"));
  CHECK_THAT(html, Catch::Contains("<li>customers.risk: an internal fraud score</li>"));
  for (const char* heading :
       {"<h2>About the processing of your data</h2>", "<h3>Purposes of the processing</h3>",
        "<p class=\"cite\">GDPR Art. 15(1)(a); Cal. Civ. Code § 1798.110(a)(3)</p>",
        "<h3>Categories of personal data</h3>", "<h3>Recipients, including our processors</h3>",
        "<h3>How long we keep it</h3>", "<h3>Your rights</h3>", "<h3>Where the data came from</h3>",
        "<h3>Automated decision-making, including profiling</h3>",
        "<p class=\"cite\">GDPR Art. 15(1)(h), Art. 22</p>"}) {
    INFO(heading);
    CHECK_THAT(html, Catch::Contains(heading));
  }
  // Only the tables holding the person's data: nothing about reviews.
  CHECK_THAT(html, Catch::Contains("<li>selling things <span class=\"where\">— customers</span></li>\n"
                                   "<li>delivering orders <span class=\"where\">— orders</span></li>\n</ul>"));
  CHECK(html.find("showing reviews") == std::string::npos);
  CHECK_THAT(html, Catch::Contains("<li>account data <span class=\"where\">— customers (id, name, risk)</span></li>\n"
                                   "<li>contact data <span class=\"where\">— customers (email)</span></li>"));
  CHECK_THAT(html, Catch::Contains("Not yet classified in our systems map (included in the files above): customers "
                                   "(note); orders (label)."));
  CHECK_THAT(html, Catch::Contains("<li>parcel carrier (processor) <span class=\"where\">— orders</span></li>"));
  CHECK_THAT(html, Catch::Contains("<tr><td>order data</td><td>10 years (tax law)</td><td>orders</td></tr>"));
  CHECK_THAT(html, Catch::Contains("<li>to have your data erased (GDPR Art. 17);</li>"));
  CHECK_THAT(html, Catch::Contains("(GDPR Art. 77).</li>"));
  CHECK_THAT(html, Catch::Contains("<li>to delete it (Cal. Civ. Code § 1798.105);</li>"));
  CHECK_THAT(html, Catch::Contains("</ul>\n<p>Write to privacy@shop.example to use them.</p>"));
  CHECK_THAT(html, Catch::Contains("<li>computed by the shop <span class=\"where\">— customers (risk)</span></li>"));
  CHECK_THAT(html, Catch::Contains("<p>We make no automated decisions about you.</p>\n</body>\n</html>\n"));
  // No row values in the page (the name shown is the one the request gave).
  CHECK(html.find("vip") == std::string::npos);
  CHECK(html.find("Lamp") == std::string::npos);
  CHECK(html.find("Ann@Example.com") == std::string::npos);

  CHECK(Dump(shop.db, "customers") == before);  // an export changes nothing
}

TEST_CASE("index.html stays the same size whatever the number of rows", "[fulfillment][package]") {
  Shop shop;
  auto few = shop.fulfiller().Run("export_access", "A-2", Ann(), kNow);
  REQUIRE(few.ok());
  Sql(shop.db, "WITH RECURSIVE n(i) AS (SELECT 100 UNION ALL SELECT i + 1 FROM n WHERE i < 20099) "
               "INSERT INTO orders SELECT i, 'c1', 'item ' || i, i / 10.0, NULL FROM n");
  auto many = shop.fulfiller().Run("export_access", "A-3", Ann(), kNow);
  REQUIRE(many.ok());
  CHECK(many->summary.at("total_rows") == 20004);
  const std::string a = ZipEntry(shop.Package("A-2", "access.zip"), "index.html");
  const std::string b = ZipEntry(shop.Package("A-3", "access.zip"), "index.html");
  CHECK_THAT(b, Catch::Contains("<td class=\"n\">20,003</td>"));
  CHECK_THAT(b, Catch::Contains(": 20,004 records in 2 tables."));
  CHECK(b.size() < a.size() + 16);  // the reference and the counts' digits
  // data.json and the CSV have every row.
  const json::value doc = json::parse(ZipEntry(shop.Package("A-3", "access.zip"), "data.json"));
  CHECK(doc.at("tables").at("orders").at("rows").as_array().size() == 20003);
  CHECK(doc.at("tables").at("orders").at("rows").at(20002).at("item") == "item 20099");
  const std::string csv = ZipEntry(shop.Package("A-3", "access.zip"), "orders.csv");
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 20003 + 1 + 1);  // header, rows, "Lamp\nred"
}

TEST_CASE("the portability package holds only what the person provided", "[fulfillment][package]") {
  Shop shop;
  auto r = shop.fulfiller().Run("export_portability", "P-1", Ann(), kNow);
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  const std::string zip = shop.Package("P-1", "portability.zip");
  CHECK(r->files == std::vector<std::string>{zip});
  CHECK(json::value(r->summary) == json::parse(R"({
    "step": "export_portability", "reference": "P-1", "found": true,
    "message": "Your portability package holds the data you provided to us: 4 records from 2 tables of Example Shop database, as JSON and CSV.",
    "file": ")" + zip + R"(", "generated_at": "2026-11-20T09:00:00Z",
    "tables": {"customers": {"rows": 1, "fields": ["email", "name"]}, "orders": {"rows": 3, "fields": ["item"]},
               "reviews": {"rows": 0, "fields": ["text"]}},
    "total_rows": 4})"));
  CHECK(ZipNames(zip) == std::vector<std::string>{"data.json", "customers.csv", "orders.csv"});
  CHECK(ZipEntry(zip, "customers.csv") == "email,name\r\nAnn@Example.com,Ann <script>alert(1)</script> Lee\r\n");
  CHECK(ZipEntry(zip, "orders.csv") == "item\r\n\"Book, \"\"used\"\"\"\r\n\"Lamp\nred\"\r\nCup\r\n");
  CHECK(ZipEntry(zip, "data.json") == PrettyJson(json::parse(R"({
    "format": "dsar-portability-export/1", "reference": "P-1", "generated_at": "2026-11-20T09:00:00Z",
    "system": "Example Shop database",
    "tables": {
      "customers": [{"email": "Ann@Example.com", "name": "Ann <script>alert(1)</script> Lee"}],
      "orders": [{"item": "Book, \"used\""}, {"item": "Lamp\nred"}, {"item": "Cup"}],
      "reviews": []}})")));
  CHECK(Tree(shop.exports) == std::vector<std::string>{"P-1", "P-1/portability.zip"});
}

TEST_CASE("when nothing is found, no package is written and the answer says so", "[fulfillment][package]") {
  Shop shop;
  DataSubject stranger;
  stranger.email = "nobody@example.com";
  stranger.name = "No Body";
  auto r = shop.fulfiller().Run("export_access", "N-1", stranger, kNow);
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  CHECK(r->files.empty());
  CHECK(json::value(r->summary) == json::parse(R"({
    "step": "export_access", "reference": "N-1", "found": false,
    "message": "We hold no personal data about you in Example Shop database.",
    "generated_at": "2026-11-20T09:00:00Z",
    "tables": {"customers": {"rows": 0}, "orders": {"rows": 0}, "reviews": {"rows": 0}},
    "total_rows": 0, "unmapped_columns": {"customers": ["note"], "orders": ["label"]}})"));
  CHECK(Tree(shop.exports).empty());  // not even an empty folder

  // Recorded like any step: the same answer again.
  auto again = shop.fulfiller().Run("export_access", "N-1", stranger, kNow + 1000);
  REQUIRE(again.ok());
  CHECK(again->summary == r->summary);
  CHECK(Tree(shop.exports).empty());

  // A person whose rows hold nothing they provided gets no portability package, but an access
  // package.
  Shop empty_shop;
  Sql(empty_shop.db, "DELETE FROM orders; DELETE FROM reviews");
  const std::string only_ids = empty_shop.dir / "ids.yaml";
  std::string text = kShopMap;
  for (const char* provided : {"email: { category: contact data, provided_by_subject: true }",
                               "name: { provided_by_subject: true }"}) {
    const auto pos = text.find(provided);
    REQUIRE(pos != std::string::npos);
    const std::string p(provided);
    text.replace(pos, p.size(), p.substr(0, p.find(':')) + ": { provided_by_subject: false }");
  }
  WriteFile(only_ids, text);
  auto map = LoadSystemsMap(only_ids);
  REQUIRE(map.ok());
  Fulfiller f(*map, empty_shop.db, empty_shop.exports);
  auto none = f.Run("export_portability", "N-3", Ann(), kNow);
  REQUIRE(none.ok());
  CHECK(none->files.empty());
  CHECK(none->summary.at("found") == false);
  CHECK(none->summary.at("message") == "We hold no personal data that you provided to us in Example Shop database.");
  CHECK(none->summary.at("total_rows") == 0);
  CHECK(Tree(empty_shop.exports).empty());
  // ...while the access package has her account row.
  auto access = f.Run("export_access", "N-3", Ann(), kNow);
  REQUIRE(access.ok());
  CHECK(access->summary.at("found") == true);
  CHECK(access->summary.at("total_rows") == 1);
}

TEST_CASE("an export is byte-identical on every run and idempotent per reference", "[fulfillment][package]") {
  Shop shop;
  const std::string zip = shop.Package("R-1", "access.zip");
  auto first = shop.fulfiller().Run("export_access", "R-1", Ann(), kNow);
  REQUIRE(first.ok());
  const std::string bytes = ReadFile(zip);
  const auto mtime = fs::last_write_time(zip);

  // The same reference again: the journal's answer, the file untouched.
  auto replay = shop.fulfiller().Run("export_access", "R-1", Ann(), kNow + 3600000);
  REQUIRE(replay.ok());
  CHECK(replay->summary == first->summary);
  CHECK(replay->files == first->files);
  CHECK(fs::last_write_time(zip) == mtime);
  CHECK(Column(shop.db, "SELECT count(*) FROM dsar_fulfillment_log WHERE reference = 'R-1'") ==
        std::vector<std::string>{"1"});

  // The file has gone: written again, dated as the first time, the same bytes.
  fs::remove(zip);
  auto redo = shop.fulfiller().Run("export_access", "R-1", Ann(), kNow + 86400000);
  REQUIRE(redo.ok());
  CHECK(redo->summary == first->summary);
  CHECK(ReadFile(zip) == bytes);
  CHECK(Tree(shop.exports) == std::vector<std::string>{"R-1", "R-1/access.zip"});

  // Another run of the step elsewhere on the same data: the same bytes.
  Shop other;
  auto second = other.fulfiller().Run("export_access", "R-1", Ann(), kNow);
  REQUIRE(second.ok());
  CHECK(ReadFile(other.Package("R-1", "access.zip")) == bytes);
  // Without a date the package says none.
  auto undated = other.fulfiller().Run("export_access", "R-2", Ann());
  REQUIRE(undated.ok());
  CHECK_FALSE(undated->summary.contains("generated_at"));
  const std::string html = ZipEntry(other.Package("R-2", "access.zip"), "index.html");
  CHECK(html.find("prepared on") == std::string::npos);
  CHECK_FALSE(json::parse(ZipEntry(other.Package("R-2", "access.zip"), "data.json")).as_object().contains("generated_at"));
}

TEST_CASE("the staging folder never outlives the step", "[fulfillment][package]") {
  Shop shop;
  SECTION("a folder left by an interrupted run is cleared first") {
    fs::create_directories(shop.exports + "/S-1/.staging-export_access/old");
    WriteFile(shop.exports + "/S-1/.staging-export_access/data.json", "half a file");
    auto r = shop.fulfiller().Run("export_access", "S-1", Ann(), kNow);
    REQUIRE(r.ok());
    CHECK(Tree(shop.exports) == std::vector<std::string>{"S-1", "S-1/access.zip"});
    CHECK(ZipNames(shop.Package("S-1", "access.zip")) ==
          std::vector<std::string>{"index.html", "data.json", "customers.csv", "orders.csv"});
  }
  SECTION("a step that fails leaves no staging folder, no package and no journal row") {
    // The package's path is taken by a folder: libzip cannot rename its file into place.
    fs::create_directories(shop.exports + "/S-2/access.zip/blocker");
    auto r = shop.fulfiller().Run("export_access", "S-2", Ann(), kNow);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().IsIoError());
    CHECK(Tree(shop.exports) == std::vector<std::string>{"S-2", "S-2/access.zip", "S-2/access.zip/blocker"});
    CHECK(Column(shop.db, "SELECT count(*) FROM sqlite_master WHERE name = 'dsar_fulfillment_log'") ==
          std::vector<std::string>{"0"});
    fs::remove_all(shop.exports + "/S-2/access.zip");
    auto ok = shop.fulfiller().Run("export_access", "S-2", Ann(), kNow);
    REQUIRE(ok.ok());
    CHECK(Tree(shop.exports) == std::vector<std::string>{"S-2", "S-2/access.zip"});
  }
  SECTION("portability stages in its own folder") {
    auto a = shop.fulfiller().Run("export_access", "S-3", Ann(), kNow);
    auto p = shop.fulfiller().Run("export_portability", "S-3", Ann(), kNow);
    REQUIRE(a.ok());
    REQUIRE(p.ok());
    CHECK(Tree(shop.exports) == std::vector<std::string>{"S-3", "S-3/access.zip", "S-3/portability.zip"});
  }
}
