"""TwiML, the XML a call follows: built with ElementTree so an alert's text is always escaped
(Twilio hangs up on TwiML it cannot parse, error 12100)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

CONTENT_TYPE = "application/xml; charset=utf-8"


class Twiml:
    def __init__(self) -> None:
        self.root = ET.Element("Response")

    def say(self, text: str, into: ET.Element | None = None) -> Twiml:
        ET.SubElement(self.root if into is None else into, "Say").text = text
        return self

    def pause(self, seconds: int = 1) -> Twiml:
        ET.SubElement(self.root, "Pause", length=str(seconds))
        return self

    def gather(self, action: str, *said: str) -> Twiml:
        """Wait for one key (10 s), saying ``said`` meanwhile; the key goes to ``action``."""
        gather = ET.SubElement(self.root, "Gather", numDigits="1", timeout="10", action=action, method="POST")
        for text in said:
            self.say(text, into=gather)
        return self

    def redirect(self, url: str) -> Twiml:
        ET.SubElement(self.root, "Redirect", method="POST").text = url
        return self

    def message(self, text: str) -> Twiml:
        ET.SubElement(self.root, "Message").text = text
        return self

    def hangup(self) -> Twiml:
        ET.SubElement(self.root, "Hangup")
        return self

    def xml(self) -> str:
        return '<?xml version="1.0" encoding="UTF-8"?>' + ET.tostring(self.root, encoding="unicode")
