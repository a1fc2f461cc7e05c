"""A minimal Flask endpoint with stripe-python's event notification handler (the peer of
stripe-notify's example server), for bench/http.sh. Run with gunicorn."""
import os

from flask import Flask, request
from stripe import StripeClient

app = Flask(__name__)
client = StripeClient("sk_test_bench")
handler = client.notification_handler(os.environ.get("STRIPE_WEBHOOK_SECRET", "whsec_test_secret"), lambda n, c, d: None)


@handler.on_v1_billing_meter_error_report_triggered
def on_meter(notification, client):
    pass


@app.post("/webhook")
def webhook():
    try:
        handler.handle(request.get_data(), request.headers.get("Stripe-Signature", ""))
    except Exception:
        return {"error": "rejected"}, 400
    return {"received": True}
