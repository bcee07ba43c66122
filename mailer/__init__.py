"""E-mail out: templates, the transactional outbox, and the worker that delivers it."""
