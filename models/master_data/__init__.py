"""Master data (Stammdaten) of an institution.

`fields` holds the rule of each field, `form` checks a whole form and reports every problem at
once, `access` says who may see the IBAN and who may write, `save` activates and updates.
"""

from models.master_data.access import can_edit_master_data, master_data_verdict, may_see_iban
from models.master_data.fields import masked_iban, wall_clock
from models.master_data.form import MASTER_DATA_FIELDS, AddressForm, MasterDataForm, has_any
from models.master_data.save import activate, update

__all__ = [
    "MASTER_DATA_FIELDS",
    "AddressForm",
    "MasterDataForm",
    "activate",
    "can_edit_master_data",
    "has_any",
    "masked_iban",
    "master_data_verdict",
    "may_see_iban",
    "update",
    "wall_clock",
]
