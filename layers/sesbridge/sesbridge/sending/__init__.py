"""Sending mail through Amazon SES v2.

Pure modules build the request (``message``, ``addresses``, ``mime``, ``payload``,
``settings``, ``status``); ``sender`` is the only one that talks to SES.
"""
