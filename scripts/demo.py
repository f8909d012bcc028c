#!/usr/bin/python3
"""The demo's orchestration (called by scripts/demo after the build).

Feeds the shared fixture emails through `dsar intake-mail`, verifies the data subjects by
replying with the code read from the delivered mail (var/mail/outbox), places and releases a
legal hold on one deletion, completes the staff tasks, and prints where to look.
"""
import argparse
import email
import email.policy
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
VAR = ROOT / "var"


def log(msg):
    print(msg, flush=True)


def die(msg):
    print(f"demo: {msg}", file=sys.stderr, flush=True)
    if (VAR / "demo.pid").exists():  # a server this demo started: stop it rather than leave it behind
        stop_previous_server()
        print("demo: stopped the demo's dsar serve; its log is var/demo-serve.log", file=sys.stderr, flush=True)
    sys.exit(1)


class Api:
    def __init__(self, base, token):
        self.base, self.token = base, token

    def call(self, method, path, body=None, ctype="application/json"):
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Authorization", f"Bearer {self.token}")
        if data is not None:
            req.add_header("Content-Type", ctype)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def get(self, path):
        status, body = self.call("GET", path)
        if status != 200:
            die(f"GET {path} -> {status} {body}")
        return body

    def all_requests(self):
        items, cursor = [], None
        while True:
            page = self.get("/api/v1/requests?limit=200" + (f"&cursor={cursor}" if cursor else ""))
            items += page["items"]
            cursor = page.get("next_cursor")
            if not cursor:
                return items


def wait_until(what, predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    die(f"timed out waiting for {what}")


def run(cmd, stdin=None):
    res = subprocess.run(cmd, input=stdin, capture_output=True, cwd=ROOT)
    if res.returncode != 0:
        die(f"{' '.join(map(str, cmd))} failed: {res.stderr.decode(errors='replace').strip()}")
    return res.stdout.decode().strip()


def stop_previous_server():
    pid_file = VAR / "demo.pid"
    if not pid_file.exists():
        return
    try:
        pid = int(pid_file.read_text().strip())
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            os.kill(pid, 0)
            time.sleep(0.1)
    except (ProcessLookupError, ValueError):
        pass
    pid_file.unlink(missing_ok=True)


# The corrections staff approve in the demo: Anna's surname is misspelled (make-demo-data).
DEMO_CORRECTIONS = {
    "anna.kowalski@example.org": [
        {"table": "accounts", "column": "name", "value": "Anna Kowalski"},
        {"table": "billing", "column": "billing_name", "value": "Anna Kowalski"},
    ],
}


def verification_mails():
    """reference -> (code, Message-ID) from the newest delivered verification mail of each request.

    The mails are in the requester's language, with a text and an HTML part: a code mail is the
    one whose text part holds the code on a line of its own (indented), whatever its subject."""
    found = {}
    outbox = VAR / "mail" / "outbox"
    files = []
    for sub in ("new", "cur"):
        d = outbox / sub
        if d.is_dir():
            files += [f for f in d.iterdir() if f.is_file()]
    for f in sorted(files, key=lambda f: (f.stat().st_mtime_ns, f.name)):
        msg = email.message_from_bytes(f.read_bytes(), policy=email.policy.default)
        subject = str(msg["Subject"])
        if not subject.startswith("[DSR-"):
            continue
        ref = subject.split("]")[0].lstrip("[")
        part = msg.get_body(preferencelist=("plain",))
        if part is None:
            continue
        body = part.get_content()
        code = next((line.strip() for line in body.splitlines()
                     if line.startswith("    ") and line.strip().isdigit() and len(line.strip()) == 6), None)
        if code:
            found[ref] = (code, str(msg["Message-ID"]))
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dsar", required=True)
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--fixtures", required=True)
    args = ap.parse_args()
    dsar = str((ROOT / args.dsar).resolve())
    fixtures = pathlib.Path(args.fixtures)
    if not fixtures.is_dir():
        die(f"fixture folder {fixtures} not found")

    os.umask(0o077)
    VAR.mkdir(exist_ok=True)
    VAR.chmod(0o700)
    if (VAR / "dsar.db").exists() and not (VAR / ".demo").exists():
        die("var/dsar.db exists and was not made by the demo; move it away to run the demo")
    stop_previous_server()
    # Another server on the port (a dsar serve started by hand, say) would answer in the demo's
    # place while its database is replaced under it: refuse before touching var/.
    with socket.socket() as probe:
        probe.settimeout(1)
        if probe.connect_ex(("127.0.0.1", args.port)) == 0:
            die(f"port {args.port} is in use (another dsar serve?): stop it, or run DSAR_DEMO_PORT=N scripts/demo")
    for name in ("dsar.db", "dsar.db-wal", "dsar.db-shm", "nimbus.db", "demo-serve.log"):
        (VAR / name).unlink(missing_ok=True)
    for d in ("mail", "exports"):
        subprocess.run(["rm", "-rf", str(VAR / d)], check=True)
    (VAR / ".demo").write_text("files in var/ were made by scripts/demo\n")

    log("== Demo company data (Nimbus Cloud) -> var/nimbus.db")
    run(["/usr/bin/python3", "scripts/make-demo-data", "var/nimbus.db"])
    log(run([dsar, "migrate"]))
    token = run([dsar, "token", "create", "--name", "demo"])

    log(f"== Starting dsar serve on 127.0.0.1:{args.port} (var/dsar.db)")
    server_log = open(VAR / "demo-serve.log", "w")
    server = subprocess.Popen([dsar, "serve", "--listen", f"127.0.0.1:{args.port}"], cwd=ROOT,
                              stdout=server_log, stderr=subprocess.STDOUT, start_new_session=True)
    (VAR / "demo.pid").write_text(str(server.pid))
    base = f"http://127.0.0.1:{args.port}"

    def healthy():
        if server.poll() is not None:
            die(f"dsar serve exited ({server.returncode}); see var/demo-serve.log")
        try:
            with urllib.request.urlopen(base + "/api/v1/healthz", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False
    wait_until("dsar serve to answer /healthz", healthy, 30)
    api = Api(base, token)

    log("== Intake: every fixture email through `dsar intake-mail`")
    outcomes = {}
    for f in sorted(fixtures.glob("*.eml")):
        if f.name.startswith("TEMPLATE"):
            continue
        line = run([dsar, "intake-mail", str(f)])
        outcomes[f.name] = line
        log(f"  {f.name:45s} {line}")

    requests = {r["reference"]: r for r in api.all_requests()}
    deletions = [r for r in requests.values() if r["type"] == "deletion" and r["state"] == "verifying"]
    hold = None
    if deletions:
        target = deletions[0]
        status, hold = api.call("POST", "/api/v1/legal-holds", {
            "subject_email": target["subject"]["email"], "matter": "DEMO-2026-01 contract dispute",
            "reason": "preserve account records pending litigation (GDPR Art. 17(3)(e))"})
        if status != 201:
            die(f"placing the legal hold failed: {status} {hold}")
        log(f"== Legal hold {hold['id']} placed on the data subject of {target['reference']} (deletion)")

    log("== Verification: replying with the code from each delivered mail")
    waiting = [r for r in requests.values() if r["state"] == "verifying"]
    mails = wait_until("the verification mails", lambda: (lambda m: m if all(r["reference"] in m for r in waiting) else None)(verification_mails()))
    template = (fixtures / "TEMPLATE_reply_with_code.eml").read_text()
    for i, r in enumerate(waiting):
        code, our_id = mails[r["reference"]]
        reply = (template.replace("{{CODE}}", code).replace("{{REFERENCE}}", r["reference"])
                 .replace("{{OUR_MESSAGE_ID}}", our_id).replace("{{MESSAGE_ID}}", f"<demo-reply-{i}@example.com>"))
        line = run([dsar, "intake-mail"], stdin=reply.encode())
        log(f"  {r['reference']} {r['type']:18s} reply with code -> {line}")

    # An authorized agent's request waits, verified, for staff to record the agent's authority
    # (Cal. Code Regs. tit. 11 § 7063): here the signed permission attached to the agent's mail.
    for r in api.all_requests():
        if r.get("requester") and r["state"] == "verifying" and r.get("identity_verified"):
            status, body = api.call("POST", f"/api/v1/requests/{r['id']}/agent-authorization", {
                "kind": "signed_permission", "note": "demo: signed permission attached to the agent's mail"})
            log(f"  staff recorded the agent's signed permission on {r['reference']} -> {status} "
                f"{body.get('state') if isinstance(body, dict) else body}")

    def settle(pred, what):
        return wait_until(what, lambda: (lambda rs: rs if pred(rs) else None)(api.all_requests()))

    for r in settle(lambda rs: all(x["state"] != "fulfilling" for x in rs), "fulfillment to finish"):
        if r["state"] == "awaiting_approval" and r["type"] == "access":
            # Access packages wait for the redaction review before release (GDPR Art. 15(4)):
            # staff see what the package holds, then approve it (the link goes out by mail).
            package = api.get(f"/api/v1/requests/{r['id']}/package")
            tables = ", ".join(f"{t['table']} {t['rows']}" for t in package["tables"] if t["rows"])
            status, body = api.call("POST", f"/api/v1/requests/{r['id']}/events", {
                "event": "approve", "reason": "demo: reviewed by the privacy team, nothing to redact"})
            log(f"  staff reviewed the access package of {r['reference']} ({tables}) and approved it -> {status} "
                f"{body.get('state') if isinstance(body, dict) else body}")
        if r["state"] == "awaiting_approval" and r["type"] == "correction":
            # Staff check the claimed inaccuracy and approve the exact change per table and column
            # of the systems map; the `correct` step applies it (before/after in the history).
            changes = DEMO_CORRECTIONS.get(r["subject"]["email"].lower())
            if changes:
                status, body = api.call("POST", f"/api/v1/requests/{r['id']}/events", {
                    "event": "approve", "reason": "demo: the surname is misspelled in our records",
                    "data": {"changes": changes}})
            else:
                status, body = api.call("POST", f"/api/v1/requests/{r['id']}/events", {
                    "event": "deny", "reason": "demo: we could not find the data to correct",
                    "data": {"reason_code": "no_match"}})
            log(f"  staff reviewed the correction {r['reference']} -> {status} "
                f"{body.get('state') if isinstance(body, dict) else body}")
        if r["state"] == "awaiting_task":
            task = "review_correction" if r["type"] == "correction" else "review_objection"
            status, body = api.call("POST", f"/api/v1/requests/{r['id']}/events", {
                "event": "complete_task", "reason": "demo: reviewed by the privacy team",
                "data": {"task": task, "note": "applied in the account system"}})
            log(f"  staff completed {task} on {r['reference']} -> {status} {body.get('state') if isinstance(body, dict) else body}")

    if hold:
        held = api.get(f"/api/v1/requests/{deletions[0]['id']}")
        log(f"== {held['reference']} is '{held['state']}' while the hold is active; releasing the hold")
        status, body = api.call("DELETE", f"/api/v1/legal-holds/{hold['id']}", {"reason": "matter settled"})
        if status != 200:
            die(f"releasing the hold failed: {status} {body}")

    final = settle(lambda rs: all(x["state"] in ("completed", "denied", "cancelled", "duplicate") for x in rs),
                   "every request to reach a final state")

    log("\n== Requests")
    log(f"  {'reference':15s} {'type':18s} {'state':10s} {'jurisdiction':12s} due (UTC)             data subject")
    for r in final:
        log(f"  {r['reference']:15s} {r['type']:18s} {r['state']:10s} {str(r['jurisdiction'] or '-'):12s} "
            f"{str(r['due_at'] or '-'):22s} {r['subject']['email']}")
    exports = sorted(p for p in (VAR / "exports").rglob("*") if p.is_file())
    log("\n== Where to look")
    log(f"  API:            {base}/api/v1/requests   (Authorization: Bearer {token})")
    example = final[0]
    log(f"  one request:    curl -H 'Authorization: Bearer {token}' {base}/api/v1/requests/{example['reference']}")
    log(f"  its history:    curl -H 'Authorization: Bearer {token}' {base}/api/v1/requests/{example['id']}/transitions")
    log(f"  legal holds:    curl -H 'Authorization: Bearer {token}' '{base}/api/v1/legal-holds?active=false'")
    for p in exports:
        log(f"  export:         {p.relative_to(ROOT)}")
    log(f"  outbound mail:  var/mail/outbox/new/ ({len(list((VAR / 'mail' / 'outbox' / 'new').iterdir()))} messages)")
    log("  store:          var/dsar.db (sqlite3 var/dsar.db 'select * from transitions')")
    log("  server log:     var/demo-serve.log (start, stop and failures; no personal data)")
    log("  company data:   var/nimbus.db (the demo company's systems after fulfillment)")
    log(f"\n  dsar serve keeps running (pid {server.pid}); stop it with: kill {server.pid}")


if __name__ == "__main__":
    main()
