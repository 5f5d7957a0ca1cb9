"""Importing another on-call product's configuration: ``tocsin import opsgenie``."""
