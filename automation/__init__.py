"""Offline engine, deployment plan and CLI for the SecureCart Network project."""
