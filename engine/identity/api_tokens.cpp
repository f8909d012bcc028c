#include "identity/api_tokens.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "core/denial.h"
#include "core/json_fields.h"
#include "core/sha256.h"
#include "fulfillment/connectors/sql/fulfiller.h"
#include "fulfillment/package/review.h"
#include "mail/message.h"
#include "workflow/loader.h"
#include "requests/engine.h"

namespace dsar::service {

namespace json = boost::json;

Result<std::string> CreateToken(Engine& e, const std::string& name) {
  const std::string token = Secrets::NewToken();
  Status s = e.store().Transact([&](store::Tx& tx) { return tx.InsertToken(name, e.secrets().KeyedHash(token), e.clock().Now()); });
  if (!s.ok()) return s;
  return token;
}

Result<std::optional<std::string>> TokenName(Engine& e, const std::string& token) {
  std::optional<std::string> name;
  const std::string hash = e.secrets().KeyedHash(token);
  Status s = e.store().Read([&](store::Tx& tx) {
    auto r = tx.TokenName(hash);
    if (!r.ok()) return r.status();
    name = std::move(r.value());
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return name;
}

}  // namespace dsar::service
