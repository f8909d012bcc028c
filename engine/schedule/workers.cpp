#include "schedule/workers.h"

#include "holds/holds.h"
#include "identity/codes.h"
#include "identity/suppression.h"
#include "requests/corrections.h"
#include "requests/tasks.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>


namespace dsar::service {
namespace json = boost::json;

namespace {

// The request service as the step runner sees it (fulfillment/step_runner.h).
class ServiceStepHost : public fulfillment::StepHost {
 public:
  explicit ServiceStepHost(Engine& svc) : svc_(svc) {}

  Status Apply(store::Tx& tx, store::RequestRow& request, const Event& event) override {
    return svc_.ApplyInTx(tx, request, event, std::nullopt);
  }
  Result<bool> AwaitsFulfillment(store::Tx& tx, const store::RequestRow& request) override {
    auto wf = svc_.PinnedWorkflow(tx, request.workflow_hash);
    if (!wf.ok()) return wf.status();
    return (*wf)->Candidates(request.state, "fulfilled") != nullptr;
  }
  Result<std::vector<fulfillment::CorrectionChange>> ParseCorrections(const json::object& data) override {
    return service::ParseCorrections(data);
  }
  Status SuppressErased(store::Tx& tx, const store::RequestRow& request, const std::vector<std::string>& account_ids,
                        const std::vector<std::string>& phones) override {
    return service::SuppressErasedInTx(svc_, tx, request, account_ids, phones);
  }
  std::string HoldCitation(const std::string& ground) override { return service::HoldCitation(ground); }
  std::string NewCallbackToken() override { return Secrets::NewToken(); }
  std::string CallbackTokenHash(const std::string& token) override {
    return svc_.secrets().KeyedHash(CallbackHashInput(token));
  }

 private:
  Engine& svc_;
};

}  // namespace

Workers::Workers(Engine& svc, std::shared_ptr<fulfillment::Fulfiller> fulfiller,
                 std::unique_ptr<MailTransport> transport)
    : svc_(svc), fulfiller_(std::move(fulfiller)), transport_(std::move(transport)),
      host_(std::make_unique<ServiceStepHost>(svc)),
      runner_(std::make_unique<fulfillment::StepRunner>(svc.store(), svc.clock(), *host_, fulfiller_,
                                                        fulfillment::MakeCurlWebhookClient(),
                                                        svc.config().public_base_url)) {
  if (!transport_) transport_ = MakeMaildirTransport(svc_.config().outbox_maildir);
}

Result<int> Workers::RunJobs() { return runner_->RunJobs(); }

Result<int> Workers::ExpireCallbacks() { return runner_->ExpireCallbacks(); }

Result<int> Workers::Recover() {
  int n = 0;
  Status s = svc_.store().Transact([&](store::Tx& tx) {
    auto r = tx.ReleaseRunningJobs();
    if (!r.ok()) return r.status();
    n = *r;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return n;
}

Result<int> Workers::RunOnce() {
  int total = 0;
  for (auto step : {&Workers::FireTimers, &Workers::ExpireCallbacks, &Workers::RunJobs, &Workers::DeliverOutbox}) {
    auto n = (this->*step)();
    if (!n.ok()) return n.status();
    total += *n;
  }
  if (const Millis now = svc_.clock().Now(); now >= next_purge_) {
    auto n = PurgeExpired();
    if (!n.ok()) return n.status();
    total += *n;
    next_purge_ = now + kMillisPerHour;
  }
  return total;
}

}  // namespace dsar::service
