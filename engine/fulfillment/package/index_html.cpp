#include "fulfillment/package/index_html.h"

#include <algorithm>
#include <functional>
#include <utility>

#include "fulfillment/package/package.h"

namespace dsar::fulfillment {

namespace {

// The rights a person has, with their citations: GDPR Art. 15(1)(e)-(f) requires telling them.
const char* const kRightsGdpr[] = {
    "to have inaccurate data about you corrected and incomplete data completed (rectification, GDPR Art. 16);",
    "to have your data erased (GDPR Art. 17);",
    "to have the processing of your data restricted (GDPR Art. 18);",
    "to object to processing based on legitimate interests, and at any time to processing for direct "
    "marketing (GDPR Art. 21);",
    "to receive the data you provided to us in a machine-readable format, or to have it sent to another "
    "controller (data portability, GDPR Art. 20);",
    "to withdraw your consent at any time where processing is based on it, without affecting the processing "
    "before (GDPR Art. 7(3));",
    "to lodge a complaint with a supervisory authority, in particular in the member state where you live or "
    "work or where the alleged infringement took place (GDPR Art. 77).",
};

// The CCPA rights (as amended by the CPRA).
const char* const kRightsCcpa[] = {
    "to know what personal information we collect about you, where it comes from, why we use it and to whom "
    "we disclose, sell or share it, and to get a copy of it (Cal. Civ. Code § 1798.100, § 1798.110, "
    "§ 1798.115, answered as § 1798.130 requires);",
    "to delete it (Cal. Civ. Code § 1798.105);",
    "to correct inaccurate personal information (Cal. Civ. Code § 1798.106);",
    "to opt out of the sale or sharing of your personal information (Cal. Civ. Code § 1798.120);",
    "to limit the use of your sensitive personal information (Cal. Civ. Code § 1798.121);",
    "not to be discriminated against for using these rights (Cal. Civ. Code § 1798.125).",
};

const char* const kStyle =
    "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:60em;margin:2em auto;"
    "padding:0 1em;line-height:1.45;color:#222}\n"
    "table{border-collapse:collapse;margin:1em 0}\n"
    "th,td{border:1px solid #bbb;padding:.3em .6em;text-align:left;vertical-align:top}\n"
    "th{background:#f2f2f2}\n"
    "td.n{text-align:right}\n"
    ".cite,.where{color:#555;font-size:.9em}\n";

std::string Plural(std::int64_t n, const char* one, const char* many) {
  return FormatCount(n) + " " + (n == 1 ? one : many);
}

// Values of one attribute of the fields of the tables with rows, each with where it applies, in
// the order first seen (map order): e.g. purpose -> "accounts; projects (name, visibility)".
class Grouping {
 public:
  void Add(const std::string& value, const TableSpec& t, const FieldSpec& f) {
    if (value.empty()) return;
    auto it = std::find_if(groups_.begin(), groups_.end(), [&](const auto& g) { return g.first == value; });
    if (it == groups_.end()) {
      groups_.emplace_back(value, std::vector<std::pair<const TableSpec*, std::string>>{});
      it = groups_.end() - 1;
    }
    it->second.emplace_back(&t, f.name);
  }

  // Each value with where it applies: a table's name alone when all of its fields share the
  // value, else the table with those fields in parentheses.
  std::vector<std::pair<std::string, std::string>> Render() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [value, fields] : groups_) {
      std::string where;
      for (size_t i = 0; i < fields.size();) {
        const TableSpec* t = fields[i].first;
        std::vector<std::string> names;
        for (; i < fields.size() && fields[i].first == t; ++i) names.push_back(fields[i].second);
        if (!where.empty()) where += "; ";
        where += t->name;
        if (names.size() != t->fields.size()) {
          where += " (";
          for (size_t k = 0; k < names.size(); ++k) where += (k ? ", " : "") + names[k];
          where += ")";
        }
      }
      out.emplace_back(value, where);
    }
    return out;
  }

  bool empty() const { return groups_.empty(); }

 private:
  std::vector<std::pair<std::string, std::vector<std::pair<const TableSpec*, std::string>>>> groups_;
};

class Page {
 public:
  void Raw(const std::string& s) { out_ += s; }
  void Text(const std::string& s) { out_ += HtmlEscape(s); }
  void Heading(const char* tag, const std::string& title, const std::string& cite) {
    out_ += std::string("<") + tag + ">" + HtmlEscape(title) + "</" + tag + ">\n";
    if (!cite.empty()) out_ += "<p class=\"cite\">" + HtmlEscape(cite) + "</p>\n";
  }
  // A list of values with where each applies.
  void List(const Grouping& g) {
    out_ += "<ul>\n";
    for (const auto& [value, where] : g.Render())
      out_ += "<li>" + HtmlEscape(value) + " <span class=\"where\">— " + HtmlEscape(where) + "</span></li>\n";
    out_ += "</ul>\n";
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace

std::string FormatCount(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string AccessIndexHtml(const SystemsMap& map, const AccessIndex& index) {
  const std::string controller = !map.controller.name.empty() ? map.controller.name
                                 : !map.system.empty()        ? map.system
                                                              : std::string("the controller");
  std::int64_t total = 0, with_rows = 0;
  for (const auto& t : index.tables) {
    total += t.rows;
    if (t.rows > 0) ++with_rows;
  }

  Page p;
  p.Raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
  p.Text("Your personal data — request " + index.reference);
  p.Raw("</title>\n<style>\n");
  p.Raw(kStyle);
  p.Raw("</style>\n</head>\n<body>\n");
  p.Heading("h1", "Your personal data held by " + controller, "");

  p.Raw("<p>This package answers the request <strong>");
  p.Text(index.reference);
  p.Raw("</strong>");
  std::string who = index.subject_name;
  const std::string id = !index.subject_email.empty() ? index.subject_email : index.subject_account_id;
  if (!id.empty()) who = who.empty() ? id : who + " (" + id + ")";
  if (!who.empty()) {
    p.Raw(" of ");
    p.Text(who);
  }
  p.Raw(".");
  if (index.generated_at) {
    p.Raw(" It was prepared on ");
    p.Text(FormatRfc3339(*index.generated_at).substr(0, 10));
    p.Raw(" (UTC).");
  }
  p.Raw(" It holds every record about you that we found in ");
  p.Text(map.system.empty() ? "our systems" : map.system);
  p.Raw(": ");
  p.Text(Plural(total, "record", "records") + " in " + Plural(with_rows, "table", "tables"));
  p.Raw(".</p>\n");

  p.Heading("h2", "Who we are", "");
  p.Raw("<dl>\n<dt>Controller</dt><dd>");
  p.Text(controller);
  p.Raw("</dd>\n");
  if (!map.controller.contact.empty()) {
    p.Raw("<dt>Contact</dt><dd>");
    p.Text(map.controller.contact);
    p.Raw("</dd>\n");
  }
  if (!map.controller.dpo.empty()) {
    p.Raw("<dt>Data protection officer</dt><dd>");
    p.Text(map.controller.dpo);
    p.Raw("</dd>\n");
  }
  p.Raw("</dl>\n");

  // The data: counts and links, never the rows.
  p.Heading("h2", "Your data", "");
  p.Raw("<p><a href=\"data.json\">data.json</a> holds all of it in one machine-readable file, with a "
        "description of every field. Each table with records is also a CSV file, which a spreadsheet opens.</p>\n");
  p.Raw("<table>\n<tr><th>Table</th><th>What it holds</th><th>Category</th><th>Records</th><th>File</th></tr>\n");
  for (const auto& t : index.tables) {
    p.Raw("<tr><td>");
    p.Text(t.spec->name);
    p.Raw("</td><td>");
    p.Text(t.spec->description);
    p.Raw("</td><td>");
    p.Text(t.spec->category);
    p.Raw("</td><td class=\"n\">");
    p.Text(FormatCount(t.rows));
    p.Raw("</td><td>");
    if (!t.csv.empty()) {
      p.Raw("<a href=\"");
      p.Text(t.csv);
      p.Raw("\">");
      p.Text(t.csv);
      p.Raw("</a>");
    } else {
      p.Raw("—");
    }
    p.Raw("</td></tr>\n");
  }
  p.Raw("</table>\n");
  std::vector<std::string> withheld;
  for (const auto& t : index.tables) {
    if (t.rows == 0) continue;
    for (const auto& f : t.spec->fields)
      if (!f.withheld.empty()) withheld.push_back(t.spec->name + "." + f.name + ": " + f.withheld);
  }
  if (!withheld.empty()) {
    p.Raw("<p>Held but not shown in this package:</p>\n<ul>\n");
    for (const auto& w : withheld) {
      p.Raw("<li>");
      p.Text(w);
      p.Raw("</li>\n");
    }
    p.Raw("</ul>\n");
  }

  // Art. 15 information for the tables that hold the person's data.
  Grouping purposes, categories, recipients, sources;
  std::vector<std::pair<std::string, Grouping>> retention;  // category -> retention -> where
  std::string unclassified;
  for (const auto& t : index.tables) {
    if (t.rows == 0) continue;
    for (const auto& f : t.spec->fields) {
      purposes.Add(f.purpose, *t.spec, f);
      categories.Add(f.category, *t.spec, f);
      for (const auto& r : f.recipients) recipients.Add(r, *t.spec, f);
      sources.Add(f.source, *t.spec, f);
      auto it = std::find_if(retention.begin(), retention.end(), [&](const auto& c) { return c.first == f.category; });
      if (it == retention.end()) {
        retention.emplace_back(f.category, Grouping{});
        it = retention.end() - 1;
      }
      it->second.Add(f.retention.empty() ? "not stated" : f.retention, *t.spec, f);
    }
    if (!t.unmapped.empty()) {
      if (!unclassified.empty()) unclassified += "; ";
      unclassified += t.spec->name + " (";
      for (size_t k = 0; k < t.unmapped.size(); ++k) unclassified += (k ? ", " : "") + t.unmapped[k];
      unclassified += ")";
    }
  }

  p.Heading("h2", "About the processing of your data",
            "The information GDPR Art. 15(1)(a)-(h) and the CCPA right to know (Cal. Civ. Code § 1798.110, "
            "§ 1798.130) require, for the data in this package.");
  p.Heading("h3", "Purposes of the processing", "GDPR Art. 15(1)(a); Cal. Civ. Code § 1798.110(a)(3)");
  p.List(purposes);
  p.Heading("h3", "Categories of personal data", "GDPR Art. 15(1)(b); Cal. Civ. Code § 1798.110(a)(1)");
  p.List(categories);
  if (!unclassified.empty()) {
    p.Raw("<p>Not yet classified in our systems map (included in the files above): ");
    p.Text(unclassified);
    p.Raw(".</p>\n");
  }
  p.Heading("h3", "Recipients, including our processors",
            "GDPR Art. 15(1)(c); Cal. Civ. Code § 1798.110(a)(4)");
  p.List(recipients);
  p.Heading("h3", "How long we keep it", "GDPR Art. 15(1)(d); Cal. Civ. Code § 1798.100(a)(3)");
  p.Raw("<table>\n<tr><th>Category</th><th>Retention period</th><th>Where</th></tr>\n");
  for (const auto& [category, periods] : retention) {
    for (const auto& [period, where] : periods.Render()) {
      p.Raw("<tr><td>");
      p.Text(category);
      p.Raw("</td><td>");
      p.Text(period);
      p.Raw("</td><td>");
      p.Text(where);
      p.Raw("</td></tr>\n");
    }
  }
  p.Raw("</table>\n");
  p.Heading("h3", "Your rights", "GDPR Art. 15(1)(e)-(f); Cal. Civ. Code § 1798.130");
  p.Raw("<p>Under the GDPR (and the UK GDPR) you have the right:</p>\n<ul>\n");
  for (const char* r : kRightsGdpr) {
    p.Raw("<li>");
    p.Text(r);
    p.Raw("</li>\n");
  }
  p.Raw("</ul>\n<p>If you live in California you have the right:</p>\n<ul>\n");
  for (const char* r : kRightsCcpa) {
    p.Raw("<li>");
    p.Text(r);
    p.Raw("</li>\n");
  }
  p.Raw("</ul>\n");
  if (!map.rights.empty()) {
    p.Raw("<p>");
    p.Text(map.rights);
    p.Raw("</p>\n");
  }
  p.Heading("h3", "Where the data came from", "GDPR Art. 15(1)(g); Cal. Civ. Code § 1798.110(a)(2)");
  p.List(sources);
  p.Heading("h3", "Automated decision-making, including profiling", "GDPR Art. 15(1)(h), Art. 22");
  p.Raw("<p>");
  p.Text(!map.automated_decision_making.empty()
             ? map.automated_decision_making
             : "Our systems map does not state whether decisions about you are made by automated means. Please "
               "ask us, using the contact above, and we will tell you.");
  p.Raw("</p>\n</body>\n</html>\n");
  return p.Take();
}

}  // namespace dsar::fulfillment
