"""The message catalogue: every text the service writes for people, in German and French.

A message is marked with `_("English text with {placeholders}.", name=value)`: that makes a
`Text` (the message id and its parameters), translated only where the reader's language is
known. The translations live in gettext catalogues (`i18n/<lang>/LC_MESSAGES/messages.po`),
extracted with `pybabel` (`make messages`) and read at import.
"""

from i18n.catalogue import LANGUAGES, Language, Named, Text, _, gettext, translate

__all__ = ["LANGUAGES", "Language", "Named", "Text", "_", "gettext", "translate"]
