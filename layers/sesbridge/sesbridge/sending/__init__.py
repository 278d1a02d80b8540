"""Sending mail through Amazon SES v2.

Pure modules build the request: ``message`` (the API) with ``arguments`` (argument
types); ``payload`` dispatches to ``raw_send`` (SendEmail: ``mime``, ``parts``,
``attachment_parts``) or ``template_send`` (SendBulkEmail); both use ``envelope``,
``addresses``, ``headers`` (the one check of header text) and ``jsondata``;
``responses`` and ``status`` turn what SES returns into statuses. ``sender`` is the only
module that talks to SES. No module imports one that imports it back.
"""
