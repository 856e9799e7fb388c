"""Notifications: producers write the inbox and the outbox in the transaction of their cause
(``engine.notify.produce``); the scheduler delivers the outbox (``engine.notify.outbox``) through the channels
(``engine.notify.channels``: e-mail by SMTP, SMS by a pluggable provider)."""
