"""Load benchmark for Liaison's Slack HTTP mode (`liaison serve`), on loopback (127.0.0.1) only.

N signed `app_mention` events are posted to `/slack/events` by C workers; a fraction is redelivered with
`X-Slack-Retry-Num: 1`, as Slack does when an ack is slow. Measured: ack latency (send -> HTTP response; target
p99 < 200 ms), answer latency (send -> the `chat.postMessage` in the event's thread reaching the local Slack Web
API stand-in `bot.localslack.api.SlackAPI`; p50/p95), lost answers and duplicate answers (target 0 each).

Set-up: the bundled sample engagement `acme-customer-care` (shared, client-only and vendor-only folders) indexed
with the CLI into a temporary LIAISON_DATA_DIR, or into `--data-dir` (indexed only when empty, then kept and
reused); channel C1 bound to it as `shared`; the stand-in in this process; `liaison serve` as a subprocess.
Bounded in count and time (`--timeout` for answers); stops by itself. From the repository root:

    . .venv/bin/activate
    python benchmarks/slack_load.py                                   # 200 events, 20 workers, 30% retried
    python benchmarks/slack_load.py --events 40 --concurrency 10 --out /tmp/slack_load.json
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bot import records
from bot.cli.demo import samples_dir
from bot.db import make_engine, session, upgrade
from bot.localslack.api import Call, SlackAPI
from bot.localslack.bodies import event_body, sign

SECRET = "load-secret"
ENGAGEMENT = "acme-customer-care"
QUESTIONS = [
    "whats the credit cap?",
    "how long do we have to fix a sev 1?",
    "how much notice to not renew?",
    "what's the first response time for P1 tickets?",
    "who owns the data if we leave?",
    "can they subcontract the work offshore?",
    "how many days to pay an invoice?",
    "what happens if they miss the ASA target 3 months in a row",
    "how fast do they have to tell us about a data breach?",
    "can we audit meridian's sites? how much notice",
]


class _StampedCalls(list[Call]):
    """The stand-in's call list, also keeping each call's arrival time (perf_counter), appended under its lock."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived: list[float] = []

    def append(self, call: Call) -> None:
        self.arrived.append(time.perf_counter())
        super().append(call)


class TimedSlackAPI(SlackAPI):
    """The Slack Web API stand-in, with per-call arrival times (bot/localslack/api.py is left as is)."""

    def __init__(self) -> None:
        super().__init__()
        self._stamped = self._calls = _StampedCalls()

    def timed_calls(self, method: str) -> list[tuple[float, Call]]:
        """(arrival perf_counter, call) for each call to ``method``, in arrival order."""
        with self._lock:
            return [(t, c) for t, c in zip(self._stamped.arrived, self._stamped, strict=True) if c.method == method]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


def _post(url: str, body: str, headers: dict[str, str]) -> tuple[int, float]:
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return response.status, time.perf_counter() - started
    except urllib.error.HTTPError as err:
        return err.code, time.perf_counter() - started
    except OSError:  # refused, reset, timed out: counted as non-200
        return 0, time.perf_counter() - started


def _pct(values: list[float], q: float) -> float | None:
    """The nearest-rank percentile (None for no values)."""
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)], 3) if ordered else None


def _prepare(data_dir: Path, env: dict[str, str]) -> None:
    """Index the sample engagement unless data_dir already holds something; bind C1 to it as shared."""
    exe = str(Path(sys.executable).with_name("liaison"))
    if not any(data_dir.iterdir()):
        root = samples_dir()
        for suffix, visibility in (("", "shared"), ("-client-only", "client-only"), ("-vendor-only", "vendor-only")):
            folder = root / f"{ENGAGEMENT}{suffix}"
            cmd = [exe, "index", str(folder), "-e", ENGAGEMENT, "--visibility", visibility]
            print(f"indexing {folder.name}/ ({visibility}) ...", flush=True)
            subprocess.run(cmd, env=env, check=True, capture_output=True, timeout=600)
    engine = make_engine(f"sqlite:///{data_dir / 'liaison.db'}")
    upgrade(engine)
    with session(engine) as s:
        records.bind_channel(
            session=s, channel_id="C1", team_id="T1", engagement=ENGAGEMENT, side="shared", user_id="UADMIN"
        )
    engine.dispose()


def _send_all(url: str, args: argparse.Namespace) -> tuple[dict[str, float], list[tuple[int, float, bool]]]:
    """Send the events from a pool of workers; return {event ts: send time} and (status, seconds, is_retry) acks."""
    retried = set(random.Random(args.seed).sample(range(args.events), round(args.events * args.retries)))
    sent: dict[str, float] = {}
    acks: list[tuple[int, float, bool]] = []
    lock = threading.Lock()
    run_id = int(time.time())  # event ids and ts unique per run: a reused data dir has claimed earlier ones

    def send(i: int) -> None:
        ts = f"{run_id}.{i:06d}"
        text = f"<@UBOT> {QUESTIONS[i % len(QUESTIONS)]}"
        event = {"type": "app_mention", "user": f"U{i % 7 + 1}", "text": text, "channel": "C1", "ts": ts}
        body = event_body(event, event_id=f"Ev{run_id}x{i:06d}")
        with lock:
            sent[ts] = time.perf_counter()
        for retry in (False, True) if i in retried else (False,):  # Slack redelivers when an ack is slow
            extra = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
            status, seconds = _post(url, body, {**sign(body, SECRET), "Content-Type": "application/json", **extra})
            with lock:
                acks.append((status, seconds, retry))

    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        list(pool.map(send, range(args.events)))
    return sent, acks


def run(args: argparse.Namespace) -> dict[str, Any]:
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="liaison-load-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    log = tempfile.NamedTemporaryFile(prefix="liaison-serve-", suffix=".log", delete=False)  # noqa: SIM115
    server: subprocess.Popen[bytes] | None = None
    api = TimedSlackAPI()
    try:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CHROMA_URL")}
        slack = {"SLACK_BOT_TOKEN": "xoxb-load", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": api.url}
        env.update(LIAISON_DATA_DIR=str(data_dir), LIAISON_LLM="", **slack)
        _prepare(data_dir, env)
        port = _free_port()
        cmd = [str(Path(sys.executable).with_name("liaison")), "serve", "--host", "127.0.0.1", "--port", str(port)]
        server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.monotonic() + 120
        while not _listening(port):
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"liaison serve did not start; see {log.name}")
            time.sleep(0.1)

        started = time.perf_counter()
        sent, acks = _send_all(f"http://127.0.0.1:{port}/slack/events", args)
        send_seconds = time.perf_counter() - started
        deadline = time.monotonic() + args.timeout
        print(f"sent {len(sent)} events and {len(acks) - len(sent)} retries; waiting for answers ...", flush=True)
        for tick in itertools.count():
            answered = sent.keys() & {c.params.get("thread_ts") for _, c in api.timed_calls("chat.postMessage")}
            if len(answered) == len(sent) or time.monotonic() > deadline or server.poll() is not None:
                break
            if tick % 50 == 49:
                print(f"  {len(answered)}/{len(sent)} answered", flush=True)
            time.sleep(0.2)
        time.sleep(args.grace)  # late duplicates

        posts: dict[str, list[tuple[float, Call]]] = defaultdict(list)
        for t, c in api.timed_calls("chat.postMessage"):
            posts[str(c.params.get("thread_ts"))].append((t, c))
        answer_s = [posts[ts][0][0] - t0 for ts, t0 in sent.items() if posts.get(ts)]
        ack_ms = [s * 1000 for _, s, _ in acks]
        lost = sorted(ts for ts in sent if not posts.get(ts))
        duplicated = {ts: len(p) for ts, p in posts.items() if ts in sent and len(p) > 1}
        stderr = Path(log.name).read_text(errors="replace")
        r: dict[str, Any] = {
            "events": len(sent),
            "retries": sum(1 for *_, retry in acks if retry),
            "concurrency": args.concurrency,
            "send_seconds": round(send_seconds, 2),
            "http_non_200": sum(1 for status, *_ in acks if status != 200),
            "http_statuses": sorted({status for status, *_ in acks}),
            "ack_ms_p50": _pct(ack_ms, 50),
            "ack_ms_p99": _pct(ack_ms, 99),
            "ack_ms_max": round(max(ack_ms), 3) if ack_ms else None,
            "answer_s_p50": _pct(answer_s, 50),
            "answer_s_p95": _pct(answer_s, 95),
            "answers_received": sum(len(p) for ts, p in posts.items() if ts in sent),
            "lost_answers": len(lost),
            "duplicate_answers": sum(n - 1 for n in duplicated.values()),
            "lost_ts": lost[:20],
            "duplicated_ts": dict(list(duplicated.items())[:20]),
            "sample_answers": {
                QUESTIONS[int(ts[-6:]) % len(QUESTIONS)]: str(p[0][1].params.get("text", "")).split("\n")[0]
                for ts, p in posts.items()
                if ts in sent
            },
            "server_alive_at_end": server.poll() is None,
            "server_stderr_tracebacks": stderr.count("Traceback"),
            "server_log": log.name,
        }
        r["pass"] = {
            "all_http_200": r["http_non_200"] == 0,
            "ack_p99_lt_200ms": r["ack_ms_p99"] is not None and r["ack_ms_p99"] < 200,
            "zero_lost": r["lost_answers"] == 0,
            "zero_duplicated": r["duplicate_answers"] == 0,
        }
        failed = not all(r["pass"].values()) or r["server_stderr_tracebacks"] > 0 or not r["server_alive_at_end"]
        r["stderr_tail"] = stderr.splitlines()[-40:] if failed else []
        return r
    finally:
        if server is not None and server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=5)
        api.stop()
        log.close()
        if not args.data_dir:
            shutil.rmtree(data_dir, ignore_errors=True)


def _fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def report(r: dict[str, Any]) -> None:
    verdict = {name: "PASS" if ok else "FAIL" for name, ok in r["pass"].items()}
    rows = [
        ("events sent", str(r["events"]), ""),
        ("retries sent (X-Slack-Retry-Num: 1)", str(r["retries"]), ""),
        ("HTTP non-200, target 0", str(r["http_non_200"]), verdict["all_http_200"]),
        ("ack latency p50 (ms)", _fmt(r["ack_ms_p50"]), ""),
        ("ack latency p99 (ms), target < 200", _fmt(r["ack_ms_p99"]), verdict["ack_p99_lt_200ms"]),
        ("answer latency p50 (s)", _fmt(r["answer_s_p50"], 2), ""),
        ("answer latency p95 (s)", _fmt(r["answer_s_p95"], 2), ""),
        ("answers received", str(r["answers_received"]), ""),
        ("lost answers, target 0", str(r["lost_answers"]), verdict["zero_lost"]),
        ("duplicate answers, target 0", str(r["duplicate_answers"]), verdict["zero_duplicated"]),
        ("tracebacks in server stderr", str(r["server_stderr_tracebacks"]), ""),
    ]
    print(f"\nliaison serve under load: {r['events']} events, {r['concurrency']} workers, sent in {r['send_seconds']}s")
    for name, value, mark in rows:
        print(f"  {name:<36}  {value:>8}  {mark}")
    if r["stderr_tail"]:
        print(f"\nlast lines of the server's stderr ({r['server_log']}):")
        print("\n".join(f"  | {line}" for line in r["stderr_tail"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200, help="distinct app_mention events (default 200)")
    parser.add_argument("--concurrency", type=int, default=20, help="sending threads (default 20)")
    parser.add_argument("--retries", type=float, default=0.3, help="fraction of events redelivered (default 0.3)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for all answers (default 300)")
    parser.add_argument("--grace", type=float, default=2.0, help="seconds to wait for late duplicates (default 2)")
    parser.add_argument("--data-dir", help="LIAISON_DATA_DIR to use and keep (indexed only when empty)")
    parser.add_argument("--seed", type=int, default=7, help="which events are retried")
    parser.add_argument("--out", type=Path, help="JSON result (default benchmarks/results/slack_load-<time>.json)")
    args = parser.parse_args()
    if args.events < 1 or args.concurrency < 1 or not 0 <= args.retries <= 1:
        parser.error("--events and --concurrency must be >= 1 and --retries within [0, 1]")
    result = run(args)
    report(result)
    out = args.out or Path(__file__).parent / "results" / f"slack_load-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    result["args"] = {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwrote {out}")
    sys.exit(0 if all(result["pass"].values()) else 1)


if __name__ == "__main__":
    main()
