// A minimal Express endpoint with stripe-node's event notification handler (the peer of
// stripe-notify's example server), for bench/http.sh. Usage: PORT=... node express_app.js
const express = require('express');
const Stripe = require('stripe');

const secret = process.env.STRIPE_WEBHOOK_SECRET || 'whsec_test_secret';
const client = new Stripe('sk_test_bench');
const handler = client.notificationHandler(secret, async () => {});
handler.on('v1.billing.meter.error_report_triggered', async () => {});

const app = express();
app.post('/webhook', express.raw({ type: '*/*' }), async (req, res) => {
  try {
    await handler.handle(req.body, req.headers['stripe-signature']);
    res.json({ received: true });
  } catch (e) {
    res.status(400).json({ error: 'rejected' });
  }
});
app.listen(parseInt(process.env.PORT || '4245', 10), '127.0.0.1');
