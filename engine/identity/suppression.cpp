#include "identity/suppression.h"

#include "core/json_fields.h"
#include "requests/engine.h"

#include <cctype>

#include "core/model.h"
#include "fulfillment/connectors/sql/sqlite_db.h"

namespace dsar::service {

namespace {

std::string_view TrimView(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool KnownKind(std::string_view kind) {
  for (const char* k : kSuppressionKinds)
    if (kind == k) return true;
  return false;
}

std::string NormalizePhone(std::string_view v) {
  v = TrimView(v);
  std::string out;
  size_t digits = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    const char c = v[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      out += c;
      ++digits;
    } else if (c == '+' && out.empty() && i == 0) {
      out += c;
    } else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')' && c != '/') {
      return "";  // letters or other marks: not a phone number
    }
  }
  return digits >= 7 ? out : "";
}

}  // namespace

std::string NormalizeIdentifier(std::string_view kind, std::string_view value) {
  if (kind == "email") {
    std::string e = NormalizeEmail(value);
    return IsValidEmail(e) ? e : "";
  }
  if (kind == "account_id") {
    // Printable ASCII with a letter or digit: "+", "()" or stray bytes are no account id.
    const std::string_view v = TrimView(value);
    bool alnum = false;
    for (char ch : v) {
      const auto u = static_cast<unsigned char>(ch);
      if (u < 0x21 || u > 0x7e) return "";
      alnum = alnum || std::isalnum(u);
    }
    return alnum ? std::string(v) : "";
  }
  if (kind == "phone") return NormalizePhone(value);
  return "";
}

std::string GuessIdentifierKind(std::string_view value) {
  if (value.find('@') != std::string_view::npos) return "email";
  if (!NormalizePhone(value).empty()) return "phone";
  return "account_id";
}

Identifier ParseIdentifierLine(std::string_view line) {
  line = TrimView(line);
  if (line.size() >= 2 && line.front() == '"' && line.back() == '"') line = TrimView(line.substr(1, line.size() - 2));
  // "Name <local@domain>": the address.
  if (const auto lt = line.rfind('<'); lt != std::string_view::npos && line.back() == '>' &&
                                       line.find('@', lt) != std::string_view::npos)
    return {"email", std::string(TrimView(line.substr(lt + 1, line.size() - lt - 2)))};
  if (const auto colon = line.find(':'); colon != std::string_view::npos) {
    std::string prefix(line.substr(0, colon));
    for (char& ch : prefix) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    const std::string_view rest = TrimView(line.substr(colon + 1));
    if (prefix == "mailto") return {"email", std::string(rest)};
    if (KnownKind(prefix)) return {prefix, std::string(rest)};
    // "word:…" with a kind we do not know (ssn:…): not an identifier of ours.
    bool word = !prefix.empty();
    for (char ch : prefix) word = word && (std::isalpha(static_cast<unsigned char>(ch)) || ch == '_');
    if (word) return {"", std::string(rest)};
  }
  return {GuessIdentifierKind(line), std::string(line)};
}

std::string SuppressionHash(const Secrets& secrets, const Identifier& id) {
  if (!KnownKind(id.kind)) return "";
  const std::string n = NormalizeIdentifier(id.kind, id.value);
  if (n.empty()) return "";
  return secrets.KeyedHash("suppression:" + id.kind + ":" + n);
}

Result<int> AddSuppressionsInTx(store::Tx& tx, const Secrets& secrets, const std::vector<Identifier>& ids,
                                const std::string& reference, Millis now) {
  int added = 0;
  for (const auto& id : ids) {
    const std::string hash = SuppressionHash(secrets, id);
    if (hash.empty()) continue;
    auto is_new = tx.AddSuppression(id.kind, hash, reference, now);
    if (!is_new.ok()) return is_new.status();
    added += *is_new ? 1 : 0;
  }
  return added;
}

Result<bool> IsHashSuppressed(store::Store& store, const std::string& kind, const std::string& hash) {
  bool found = false;
  Status st = store.Read([&](store::Tx& tx) -> Status {
    auto listed = tx.IsSuppressed(kind, hash);
    if (!listed.ok()) return listed.status();
    found = *listed;
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return found;
}

Result<bool> IsSuppressed(store::Store& store, const Secrets& secrets, const Identifier& id) {
  const std::string hash = SuppressionHash(secrets, id);
  if (hash.empty()) return false;
  return IsHashSuppressed(store, id.kind, hash);
}

Result<std::vector<std::string>> ImportNewsletter(store::Store& store, const Secrets& secrets,
                                                  const std::string& company_db,
                                                  const std::vector<std::string>& emails, Millis now) {
  auto opened = fulfillment::Db::Open(company_db);
  if (!opened.ok()) return opened.status();
  fulfillment::Db& db = **opened;
  if (Status st = db.Exec("BEGIN IMMEDIATE"); !st.ok()) return st;
  std::vector<std::string> out;
  auto fail = [&](Status st) {
    (void)db.Exec("ROLLBACK");
    return st;
  };
  for (const auto& line : emails) {
    const Identifier id{"email", line};
    const std::string email = NormalizeIdentifier("email", line);
    if (email.empty()) {
      out.push_back("invalid: not an email address");
      continue;
    }
    auto suppressed = IsSuppressed(store, secrets, id);
    if (!suppressed.ok()) return fail(suppressed.status());
    if (*suppressed) {
      out.push_back("refused: suppressed (erased on request)");
      continue;
    }
    auto q = db.Prepare("SELECT 1 FROM newsletter_subscriptions WHERE lower(trim(email)) = ?1 AND subscribed = 1");
    if (!q.ok()) return fail(q.status());
    q->Bind(1, email);
    Status st;
    const bool already = q->Step(&st);
    if (!st.ok()) return fail(st);
    if (already) {
      out.push_back("already subscribed");
      continue;
    }
    auto ins = db.Prepare(
        "INSERT INTO newsletter_subscriptions (email, subscribed, topics, source, subscribed_at) "
        "VALUES (?1, 1, 'product', 'import', ?2)");
    if (!ins.ok()) return fail(ins.status());
    ins->Bind(1, email);
    ins->Bind(2, FormatRfc3339(now));
    ins->Step(&st);
    if (!st.ok()) return fail(st);
    out.push_back("imported");
  }
  if (Status st = db.Exec("COMMIT"); !st.ok()) return fail(st);
  return out;
}

// ---- suppression list (issue 5 §6) ----

Status SuppressErasedInTx(Engine& e, store::Tx& tx, const store::RequestRow& r,
                                          const std::vector<std::string>& account_ids,
                                          const std::vector<std::string>& phones) {
  const boost::json::value subject = ParseOr(r.subject_json, boost::json::object());
  std::vector<Identifier> ids;
  ids.push_back({"email", StringField(subject, "email")});
  if (!StringField(subject, "phone").empty()) ids.push_back({"phone", StringField(subject, "phone")});
  if (!StringField(subject, "account_id").empty()) ids.push_back({"account_id", StringField(subject, "account_id")});
  for (const auto& a : account_ids) ids.push_back({"account_id", a});
  for (const auto& p : phones) ids.push_back({"phone", p});
  auto added = AddSuppressionsInTx(tx, e.secrets(), ids, r.reference, e.clock().Now());
  return added.ok() ? Status::Ok() : added.status();
}

Result<bool> IsSuppressed(Engine& e, const std::string& kind, const std::string& value) {
  return IsSuppressed(e.store(), e.secrets(), Identifier{kind, value});
}

}  // namespace dsar::service
