"""Inbound mail: SES receipt notifications (SNS or S3 action) to ``Email Inbound Event``.

Pure modules: ``receipt`` (the SES "Received" notification), ``message`` (the MIME),
``detail`` (the event and its size reductions), ``errors``. Modules that talk to AWS:
``raw_mail`` (S3 reads and writes), ``decryption`` (client-side encrypted objects),
``normalizer`` (what the inbound function runs) and ``loader`` (``load_message`` for
consumers of the events).
"""
