"""The test harness: real databases, a real SMTP server, real signed tokens."""
