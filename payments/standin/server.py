"""A local stand-in for the few Stripe API calls the portal makes, so card payments work offline
(`make run`) and in tests, with the real `stripe` library pointed at it (STRIPE_API_BASE).

Standard library only (no Django). It answers:

    POST /v1/checkout/sessions                 create a Checkout Session (honours Idempotency-Key)
    GET  /v1/checkout/sessions/{id}            retrieve it
    POST /v1/checkout/sessions/{id}/expire     expire an open session
    GET  /v1/payment_intents/{id}              retrieve a payment intent
    POST /v1/refunds                           refund (part of) a payment intent
    GET  /v1/refunds/{id}                      retrieve a refund

and serves a hosted test-payment page at /pay/{id} (pay with a card that succeeds, one that is
declined, or cancel). Paying sends signed webhooks (Stripe-Signature: t=...,v1=HMAC-SHA256 of
"t.payload" with the webhook secret) to the portal's webhook URL, as Stripe does. / lists the
sessions and the events sent, with a button to send an event again.

It keeps everything in memory: restarting it forgets every session."""

# ruff: noqa: E501 - the HTML of the pages reads better unwrapped
from __future__ import annotations

import hashlib
import hmac
import html
import json
import logging
import re
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from http import HTTPStatus
from socketserver import ThreadingMixIn
from urllib.parse import parse_qsl
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

logger = logging.getLogger("payments.standin")

API_VERSION = "2025-01-27.acacia"
SUCCEEDING_CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000 0000 0000 0002"


def _id(prefix: str) -> str:
    return f"{prefix}_test_{secrets.token_hex(12)}"


def sign(payload: str, secret: str, timestamp: int | None = None) -> str:
    """A Stripe-Signature header for `payload`."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def decode_form(body: str) -> dict:
    """Stripe's form encoding (a[b][0][c]=1) to nested dicts and lists."""
    root: dict = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = re.findall(r"[^\[\]]+", key)
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _listify(root)


def _listify(node):
    if isinstance(node, dict):
        node = {k: _listify(v) for k, v in node.items()}
        if node and all(k.isdigit() for k in node):
            return [node[k] for k in sorted(node, key=int)]
    return node


class StandinError(Exception):
    def __init__(
        self, message: str, *, status: int = 400, code: str = "", kind: str = "invalid_request_error"
    ):
        super().__init__(message)
        self.message, self.status, self.code, self.kind = message, status, code, kind


class StripeStandin:
    """The WSGI application. `deliver(url, payload, headers)` sends a webhook (default: HTTP POST);
    with `background_api_events`, events caused by API calls (expiring a session) are sent from a
    thread, as Stripe sends them after answering."""

    def __init__(
        self,
        *,
        webhook_url: str,
        webhook_secret: str,
        public_url: str = "",
        deliver: Callable[[str, bytes, dict], int] | None = None,
        background_api_events: bool = True,
    ):
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.public_url = public_url.rstrip("/")
        self.deliver = deliver or self._http_deliver
        self.background_api_events = background_api_events
        self.sessions: dict[str, dict] = {}
        self.intents: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.events: list[dict] = []  # {"event": ..., "status": int | str}
        self._pending: list[dict] = []
        self._idempotent: dict[tuple[str, str], tuple[int, dict]] = {}
        self._lock = threading.RLock()

    # --- WSGI ----------------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "/")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length).decode() if length else ""
        query = environ.get("QUERY_STRING", "")
        base = self.public_url or f"http://{environ.get('HTTP_HOST', '127.0.0.1')}"
        try:
            if path.startswith("/v1/"):
                self._authorise(environ)
                key = environ.get("HTTP_IDEMPOTENCY_KEY", "")
                status, payload = self._api(
                    method, path, decode_form(body if method == "POST" else query), key, base
                )
                return self._json(start_response, status, payload)
            return self._page(method, path, body, base, start_response)
        except StandinError as error:
            if path.startswith("/v1/"):
                payload = {
                    "error": {"type": error.kind, "message": error.message, "code": error.code or None}
                }
                return self._json(start_response, error.status, payload)
            return self._html(
                start_response, error.status, self._layout("Error", f"<p>{html.escape(error.message)}</p>")
            )
        finally:
            self._send_pending(background=self.background_api_events)  # e.g. a session found expired

    def _authorise(self, environ):
        auth = environ.get("HTTP_AUTHORIZATION", "")
        if not auth.startswith("Bearer sk_test"):
            raise StandinError(
                "Invalid API Key provided (the stand-in takes test keys: sk_test_...).",
                status=401,
                kind="invalid_request_error",
            )

    @staticmethod
    def _json(start_response, status: int, payload: dict):
        data = json.dumps(payload).encode()
        start_response(
            f"{status} {HTTPStatus(status).phrase}",
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(data))),
                ("Request-Id", _id("req")),
            ],
        )
        return [data]

    @staticmethod
    def _html(start_response, status: int, page: str, headers=()):
        data = page.encode()
        start_response(
            f"{status} {HTTPStatus(status).phrase}",
            [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(data))), *headers],
        )
        return [data]

    # --- The API -------------------------------------------------------------------------------

    def _api(self, method: str, path: str, params: dict, key: str, base: str) -> tuple[int, dict]:
        try:
            with self._lock:
                if method == "POST" and key and (key, path) in self._idempotent:
                    return self._idempotent[(key, path)]
                result = self._route(method, path, params, base)
                if method == "POST" and key:
                    self._idempotent[(key, path)] = result
                return result
        finally:
            self._send_pending(background=self.background_api_events)

    def _route(self, method: str, path: str, params: dict, base: str) -> tuple[int, dict]:
        if method == "POST" and path == "/v1/checkout/sessions":
            return 200, self._session_create(params, base)
        match = re.fullmatch(r"/v1/checkout/sessions/([\w]+)(/expire)?", path)
        if match:
            session = self._session(match.group(1))
            if match.group(2) and method == "POST":
                return 200, self._session_expire(session)
            if method == "GET":
                return 200, session
        match = re.fullmatch(r"/v1/payment_intents/([\w]+)", path)
        if match and method == "GET":
            intent = self.intents.get(match.group(1))
            if intent is None:
                raise StandinError(
                    f"No such payment_intent: '{match.group(1)}'", status=404, code="resource_missing"
                )
            return 200, intent
        if method == "POST" and path == "/v1/refunds":
            return 200, self._refund_create(params)
        match = re.fullmatch(r"/v1/refunds/([\w]+)", path)
        if match and method == "GET" and match.group(1) in self.refunds:
            return 200, self.refunds[match.group(1)]
        raise StandinError(f"Unrecognized request URL ({method}: {path}).", status=404)

    def _session(self, session_id: str) -> dict:
        session = self.sessions.get(session_id)
        if session is None:
            raise StandinError(
                f"No such checkout.session: '{session_id}'", status=404, code="resource_missing"
            )
        if session["status"] == "open" and session["expires_at"] <= time.time():
            self._session_expire(session)
        return session

    def _session_create(self, params: dict, base: str) -> dict:
        items = params.get("line_items") or []
        if not items:
            raise StandinError("line_items is required.", code="parameter_missing")
        for field in ("success_url", "cancel_url"):
            if not params.get(field):
                raise StandinError(f"Missing required param: {field}.", code="parameter_missing")
        currency, total, lines = None, 0, []
        for item in items:
            data = item.get("price_data") or {}
            try:
                amount, quantity = int(data["unit_amount"]), int(item.get("quantity", 1))
            except (KeyError, ValueError):
                raise StandinError(
                    "Each line item needs price_data[unit_amount].", code="parameter_invalid_integer"
                )
            if amount < 0 or quantity < 1:
                raise StandinError("Amounts must be positive.", code="parameter_invalid_integer")
            item_currency = (data.get("currency") or "").lower()
            if currency and item_currency != currency:
                raise StandinError("All line items must use the same currency.")
            currency = item_currency
            total += amount * quantity
            lines.append(
                {
                    "name": (data.get("product_data") or {}).get("name", "Item"),
                    "amount": amount,
                    "quantity": quantity,
                }
            )
        if total < 30:
            raise StandinError(
                "The Checkout Session's total amount due must add up to at least £0.30 gbp",
                code="amount_too_small",
            )
        now = int(time.time())
        expires_at = int(params.get("expires_at") or now + 24 * 3600)
        if not now + 30 * 60 - 60 <= expires_at <= now + 24 * 3600:
            raise StandinError(
                "expires_at must be between 30 minutes and 24 hours from now.",
                code="parameter_invalid_integer",
            )
        session_id = _id("cs")
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": params.get("mode", "payment"),
            "status": "open",
            "payment_status": "unpaid",
            "amount_subtotal": total,
            "amount_total": total,
            "currency": currency,
            "customer_email": params.get("customer_email"),
            "client_reference_id": params.get("client_reference_id"),
            "metadata": params.get("metadata") or {},
            "payment_intent": None,
            "success_url": params["success_url"],
            "cancel_url": params["cancel_url"],
            "url": f"{base}/pay/{session_id}",
            "created": now,
            "expires_at": expires_at,
            "livemode": False,
            "_lines": lines,
            "_intent_metadata": (params.get("payment_intent_data") or {}).get("metadata") or {},
        }
        self.sessions[session_id] = session
        return self._public(session)

    @staticmethod
    def _public(session: dict) -> dict:
        return {k: v for k, v in session.items() if not k.startswith("_")}

    def _session_expire(self, session: dict) -> dict:
        if session["status"] != "open":
            raise StandinError(
                f'Only Checkout Sessions with a status in ["open"] can be expired; this one is {session["status"]}.',
            )
        session["status"] = "expired"
        self._emit("checkout.session.expired", self._public(session))
        return self._public(session)

    def _refund_create(self, params: dict) -> dict:
        intent = self.intents.get(params.get("payment_intent", ""))
        if intent is None or intent["status"] != "succeeded":
            raise StandinError(
                "This PaymentIntent has no successful charge to refund.", code="charge_not_refundable"
            )
        left = intent["amount_received"] - intent["_refunded"]
        amount = int(params.get("amount") or left)
        if amount <= 0 or amount > left:
            raise StandinError(
                f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})",
                code="amount_too_large",
            )
        intent["_refunded"] += amount
        refund = {
            "id": _id("re"),
            "object": "refund",
            "amount": amount,
            "currency": intent["currency"],
            "payment_intent": intent["id"],
            "status": "succeeded",
            "metadata": params.get("metadata") or {},
            "created": int(time.time()),
        }
        self.refunds[refund["id"]] = refund
        return refund

    # --- Paying --------------------------------------------------------------------------------

    def pay(self, session_id: str, outcome: str, *, amount: int | None = None) -> dict:
        """What the payment page's buttons do; tests may call it directly. `amount` pays a
        different amount than the session asked for (to test that the portal notices).
        Its webhook is sent before it returns (so the buyer lands on a confirmed order), and
        after the lock is released: the portal asks this server about the session meanwhile."""
        try:
            with self._lock:
                return self._pay(session_id, outcome, amount=amount)
        finally:
            self._send_pending(background=False)

    def _pay(self, session_id: str, outcome: str, *, amount: int | None) -> dict:
        session = self._session(session_id)
        if session["status"] != "open":
            raise StandinError(f"This payment page is {session['status']}.", status=409)
        paid = session["amount_total"] if amount is None else int(amount)
        intent = {
            "id": _id("pi"),
            "object": "payment_intent",
            "amount": paid,
            "amount_received": 0,
            "currency": session["currency"],
            "status": "requires_payment_method",
            "metadata": session["_intent_metadata"],
            "last_payment_error": None,
            "created": int(time.time()),
            "_refunded": 0,
        }
        if outcome == "succeed":
            intent.update(status="succeeded", amount_received=paid)
            self.intents[intent["id"]] = intent
            session.update(
                status="complete", payment_status="paid", payment_intent=intent["id"], amount_total=paid
            )
            event = self._emit("checkout.session.completed", self._public(session))
        elif outcome == "decline":
            intent["last_payment_error"] = {
                "code": "card_declined",
                "decline_code": "generic_decline",
                "message": "Your card was declined.",
            }
            self.intents[intent["id"]] = intent
            event = self._emit("payment_intent.payment_failed", self._intent_public(intent))
        else:
            raise StandinError(f"Unknown outcome {outcome!r}.")
        return event

    @staticmethod
    def _intent_public(intent: dict) -> dict:
        return {k: v for k, v in intent.items() if not k.startswith("_")}

    # --- Webhooks ------------------------------------------------------------------------------

    def _emit(self, event_type: str, obj: dict) -> dict:
        """Record an event; it is sent by `_send_pending` once the lock is released."""
        event = {
            "id": _id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": int(time.time()),
            "type": event_type,
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "data": {"object": json.loads(json.dumps(obj))},
        }
        record = {"event": event, "status": "sending"}
        self.events.append(record)
        self._pending.append(record)
        return event

    def _send_pending(self, *, background: bool) -> None:
        with self._lock:
            pending, self._pending = self._pending, []
        for record in pending:
            if background:
                threading.Thread(target=self.send, args=(record,), daemon=True).start()
            else:
                self.send(record)

    def send(self, record: dict) -> int | str:
        """Send (or send again) one event to the webhook URL, signed."""
        payload = json.dumps(record["event"])
        headers = {"Content-Type": "application/json", "Stripe-Signature": sign(payload, self.webhook_secret)}
        try:
            status = self.deliver(self.webhook_url, payload.encode(), headers)
        except Exception as error:  # noqa: BLE001 - shown on the index page
            logger.warning("Webhook %s to %s failed: %s", record["event"]["id"], self.webhook_url, error)
            status = f"failed: {error}"
        record["status"] = status
        return status

    @staticmethod
    def _http_deliver(url: str, payload: bytes, headers: dict) -> int:
        request = urllib.request.Request(url, data=payload, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - a local URL
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    # --- Pages ---------------------------------------------------------------------------------

    def _page(self, method: str, path: str, body: str, base: str, start_response):
        match = re.fullmatch(r"/pay/([\w]+)", path)
        if match:
            session = self._session(match.group(1))
            if method == "POST":
                action = dict(parse_qsl(body)).get("action", "")
                if action == "cancel":
                    return self._redirect(start_response, session["cancel_url"])
                if session["status"] != "open":
                    return self._html(start_response, 409, self._pay_page(session))
                self.pay(session["id"], "succeed" if action == "succeed" else "decline")
                if action == "succeed":
                    return self._redirect(
                        start_response, session["success_url"].replace("{CHECKOUT_SESSION_ID}", session["id"])
                    )
                return self._html(start_response, 402, self._pay_page(session, declined=True))
            return self._html(start_response, 200, self._pay_page(session))
        match = re.fullmatch(r"/_standin/sessions/([\w]+)/pay", path)
        if match and method == "POST":
            form = dict(parse_qsl(body))
            amount = int(form["amount"]) if form.get("amount") else None
            event = self.pay(match.group(1), form.get("outcome", "succeed"), amount=amount)
            return self._json(start_response, 200, event)
        match = re.fullmatch(r"/_standin/events/([\w]+)/send", path)
        if match and method == "POST":
            record = next((r for r in self.events if r["event"]["id"] == match.group(1)), None)
            if record is None:
                raise StandinError("No such event.", status=404)
            self.send(record)
            return self._redirect(start_response, f"{base}/")
        if path == "/_standin/events" and method == "GET":
            return self._json(start_response, 200, {"data": [r["event"] for r in self.events]})
        if path == "/" and method == "GET":
            return self._html(start_response, 200, self._index())
        raise StandinError("Not found.", status=404)

    @staticmethod
    def _redirect(start_response, url: str):
        start_response("303 See Other", [("Location", url), ("Content-Length", "0")])
        return [b""]

    @staticmethod
    def _layout(title: str, content: str) -> str:
        return f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} – Stripe stand-in</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; background: #f6f9fc; color: #1a1f36; margin: 0; }}
main {{ max-width: 34rem; margin: 2rem auto; background: #fff; padding: 1.5rem 2rem 2rem; border-radius: 8px; box-shadow: 0 2px 8px rgba(0,0,0,.12); }}
.banner {{ background: #fff3cd; color: #5c4400; padding: .5rem 1rem; text-align: center; font-size: .9rem; }}
h1 {{ font-size: 1.4rem; }} table {{ width: 100%; border-collapse: collapse; margin: 1rem 0; }}
td, th {{ padding: .4rem 0; border-bottom: 1px solid #e3e8ee; text-align: left; }} td.num, th.num {{ text-align: right; }}
button {{ display: block; width: 100%; font-size: 1rem; padding: .75rem; margin: .6rem 0; border-radius: 6px; border: 0; cursor: pointer; }}
.pay {{ background: #533afd; color: #fff; }} .decline {{ background: #fff; color: #1a1f36; border: 1px solid #8792a2; }}
.cancel {{ background: none; color: #3c4257; text-decoration: underline; }}
.error {{ background: #fde8e8; color: #8a1c1c; padding: .75rem 1rem; border-radius: 6px; }}
.muted {{ color: #4f566b; font-size: .9rem; }}
</style></head>
<body><div class="banner" role="note">Test mode: the portal's local stand-in for Stripe. No real card is charged.</div>
<main>{content}</main></body></html>"""

    def _pay_page(self, session: dict, *, declined: bool = False) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(line['name'])}</td><td class='num'>{_money(line['amount'] * line['quantity'], session['currency'])}</td></tr>"
            for line in session["_lines"]
        )
        total = _money(session["amount_total"], session["currency"])
        if session["status"] != "open":
            state = "paid" if session["status"] == "complete" else "expired"
            return self._layout(
                "Payment page closed",
                f"<h1>This payment page has {state}</h1><p>Return to the portal to see your booking.</p>",
            )
        error = (
            '<div class="error" role="alert"><strong>Your card was declined.</strong> '
            "Try another card, or cancel and return to the portal.</div>"
            if declined
            else ""
        )
        email = html.escape(session.get("customer_email") or "")
        return self._layout(
            "Pay",
            f"""<h1>Pay {total}</h1>
{error}
<p class="muted">Order {html.escape(session.get("client_reference_id") or "")}{" · " + email if email else ""}</p>
<table><caption class="muted" style="text-align:left">What you are paying for</caption>
<thead><tr><th scope="col">Item</th><th scope="col" class="num">Amount</th></tr></thead>
<tbody>{rows}</tbody>
<tfoot><tr><th scope="row">Total</th><td class="num"><strong>{total}</strong></td></tr></tfoot></table>
<form method="post">
<button class="pay" name="action" value="succeed">Pay {total} with a test card that succeeds ({SUCCEEDING_CARD})</button>
<button class="decline" name="action" value="decline">Pay with a test card that is declined ({DECLINED_CARD})</button>
<button class="cancel" name="action" value="cancel">Cancel and return to the portal</button>
</form>""",
        )

    def _index(self) -> str:
        sessions = "".join(
            f"<tr><td><a href='/pay/{s['id']}'>{s['id'][:20]}…</a></td><td>{html.escape(s.get('client_reference_id') or '')}</td>"
            f"<td>{_money(s['amount_total'], s['currency'])}</td><td>{s['status']}/{s['payment_status']}</td></tr>"
            for s in reversed(list(self.sessions.values()))
        )
        events = "".join(
            f"<tr><td>{r['event']['type']}</td><td>{html.escape(str(r['status']))}</td><td>"
            f"<form method='post' action='/_standin/events/{r['event']['id']}/send'><button class='decline'>Send again</button></form></td></tr>"
            for r in reversed(self.events)
        )
        return self._layout(
            "Stand-in",
            f"""<h1>Stripe stand-in</h1><p class="muted">Webhooks go to {html.escape(self.webhook_url)}</p>
<h2>Checkout Sessions</h2><table><thead><tr><th scope="col">Session</th><th scope="col">Order</th><th scope="col">Amount</th><th scope="col">Status</th></tr></thead><tbody>{sessions}</tbody></table>
<h2>Events sent</h2><table><thead><tr><th scope="col">Type</th><th scope="col">Portal answered</th><th scope="col">Action</th></tr></thead><tbody>{events}</tbody></table>""",
        )


def _money(pence: int, currency: str | None) -> str:
    symbol = {"gbp": "£", "eur": "€", "usd": "$"}.get((currency or "").lower(), "")
    return f"{symbol}{pence / 100:,.2f}" + ("" if symbol else f" {(currency or '').upper()}")


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        logger.debug("%s - %s", self.address_string(), format % args)


def serve(app: StripeStandin, *, host: str = "127.0.0.1", port: int = 12111):
    """A threaded HTTP server for the app (port 0 picks a free port: see server.server_port)."""
    return make_server(host, port, app, server_class=_ThreadingServer, handler_class=_QuietHandler)


__all__ = ["StripeStandin", "decode_form", "serve", "sign"]
