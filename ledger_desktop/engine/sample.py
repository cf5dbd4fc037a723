"""QLDB's vehicle-registration (DMV) tutorial ledger, with the tutorial's later changes.

Each step records the statement the tutorial's Python sample sends (parameterised, as a QLDB
driver would) and applies exactly that change, so the sample has real, explainable history:
tables and indexes, the documents, a secondary owner added, an ownership transfer, a licence
renewed, a licence and a registration deleted, and one old revision redacted.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from amazon.ion.core import Timestamp, TimestampPrecision

from .ion_values import loads
from .ledger import Ledger
from .new_file import built_whole
from .transaction import Transaction

TABLES = ["VehicleRegistration", "Vehicle", "Person", "DriversLicense"]
INDEXES = [("Person", "GovId"), ("Vehicle", "VIN"), ("VehicleRegistration", "VIN"),
           ("VehicleRegistration", "LicensePlateNumber"), ("DriversLicense", "PersonId"),
           ("DriversLicense", "LicenseNumber")]


def _day(y: int, m: int, d: int) -> Timestamp:
    return Timestamp(y, m, d, precision=TimestampPrecision.DAY)


PEOPLE = [
    {"FirstName": "Raul", "LastName": "Lewis", "DOB": _day(1963, 8, 19),
     "GovId": "LEWISR261LL", "GovIdType": "Driver License",
     "Address": "1719 University Street, Seattle, WA, 98109"},
    {"FirstName": "Brent", "LastName": "Logan", "DOB": _day(1967, 7, 3),
     "GovId": "LOGANB486CG", "GovIdType": "Driver License",
     "Address": "43 Stockert Hollow Road, Everett, WA, 98203"},
    {"FirstName": "Alexis", "LastName": "Pena", "DOB": _day(1974, 2, 10),
     "GovId": "744 849 301", "GovIdType": "SSN",
     "Address": "4058 Melrose Street, Spokane Valley, WA, 99206"},
    {"FirstName": "Melvin", "LastName": "Parker", "DOB": _day(1976, 5, 22),
     "GovId": "P626-168-229-765", "GovIdType": "Passport",
     "Address": "4362 Ryder Avenue, Seattle, WA, 98101"},
    {"FirstName": "Salvatore", "LastName": "Spencer", "DOB": _day(1997, 11, 15),
     "GovId": "S152-780-97-415-0", "GovIdType": "Passport",
     "Address": "4450 Honeysuckle Lane, Seattle, WA, 98101"},
]

VEHICLES = [
    {"VIN": "1N4AL11D75C109151", "Type": "Sedan", "Year": 2011, "Make": "Audi",
     "Model": "A5", "Color": "Silver"},
    {"VIN": "KM8SRDHF6EU074761", "Type": "Sedan", "Year": 2015, "Make": "Tesla",
     "Model": "Model S", "Color": "Blue"},
    {"VIN": "3HGGK5G53FM761765", "Type": "Motorcycle", "Year": 2011, "Make": "Ducati",
     "Model": "Monster 1200", "Color": "Yellow"},
    {"VIN": "1HVBBAANXWH544237", "Type": "Semi", "Year": 2009, "Make": "Ford",
     "Model": "F 150", "Color": "Black"},
    {"VIN": "1C4RJFAG0FC625797", "Type": "Sedan", "Year": 2019, "Make": "Mercedes",
     "Model": "CLK 350", "Color": "White"},
]


def _registration(vin: str, plate: str, city: str, amount: str, start: Timestamp,
                  end: Timestamp) -> dict[str, Any]:
    return {"VIN": vin, "LicensePlateNumber": plate, "State": "WA", "City": city,
            "PendingPenaltyTicketAmount": Decimal(amount), "ValidFromDate": start,
            "ValidToDate": end, "Owners": {"PrimaryOwner": {"PersonId": ""},
                                           "SecondaryOwners": []}}


REGISTRATIONS = [
    _registration("1N4AL11D75C109151", "LEWISR261LL", "Seattle", "90.25", _day(2017, 8, 21),
                  _day(2020, 5, 11)),
    _registration("KM8SRDHF6EU074761", "CA762X", "Kent", "130.75", _day(2017, 9, 14),
                  _day(2020, 6, 25)),
    _registration("3HGGK5G53FM761765", "CD820Z", "Everett", "442.30", _day(2011, 3, 17),
                  _day(2021, 3, 24)),
    _registration("1HVBBAANXWH544237", "LS477D", "Tacoma", "42.20", _day(2011, 10, 26),
                  _day(2023, 9, 25)),
    _registration("1C4RJFAG0FC625797", "TH393F", "Olympia", "30.45", _day(2013, 9, 2),
                  _day(2024, 3, 19)),
]

LICENSES = [
    {"PersonId": "", "LicenseNumber": "LEWISR261LL", "LicenseType": "Learner",
     "ValidFromDate": _day(2016, 12, 20), "ValidToDate": _day(2020, 11, 15)},
    {"PersonId": "", "LicenseNumber": "LOGANB486CG", "LicenseType": "Probationary",
     "ValidFromDate": _day(2016, 4, 6), "ValidToDate": _day(2020, 11, 15)},
    {"PersonId": "", "LicenseNumber": "744 849 301", "LicenseType": "Full",
     "ValidFromDate": _day(2017, 12, 6), "ValidToDate": _day(2022, 10, 15)},
    {"PersonId": "", "LicenseNumber": "P626-168-229-765", "LicenseType": "Learner",
     "ValidFromDate": _day(2017, 8, 16), "ValidToDate": _day(2021, 11, 15)},
    {"PersonId": "", "LicenseNumber": "S152-780-97-415-0", "LicenseType": "Probationary",
     "ValidFromDate": _day(2015, 8, 15), "ValidToDate": _day(2021, 8, 21)},
]


def _ion(value: Any) -> Any:
    """Plain Python sample data as Ion values (round trip through Ion binary)."""
    from .ion_values import dumps_binary

    return loads(dumps_binary(value))


def _find(tx: Transaction, table: str, field: str, value: Any) -> list:
    return tx.lookup(tx.table(table).table_id, field, value)


def build_sample(path: str | Path) -> Path:
    """Build the DMV tutorial ledger at `path` (which must not exist). Returns the path."""
    path = Path(path)
    with built_whole(path) as tmp:  # a killed build leaves no half-built sample at `path`
        ledger = Ledger.create_at(tmp, "vehicle-registration")
        try:
            _build(ledger)
        finally:
            ledger.close()
    return path


def _build(ledger: Ledger) -> None:
    for name in TABLES:
        with ledger.transaction() as tx:
            tx.create_table(name, tx.begin_statement(f"CREATE TABLE {name}"))
    for table, field in INDEXES:
        with ledger.transaction() as tx:
            stmt = tx.begin_statement(f"CREATE INDEX ON {table} ({field})")
            tx.create_index(tx.table(table).table_id, field, stmt)

    # Insert people, then the documents that refer to them by document id.
    with ledger.transaction() as tx:
        people = [_ion(p) for p in PEOPLE]
        stmt = tx.begin_statement("INSERT INTO Person ?", [people])
        person_ids = {p["GovId"]: tx.insert(tx.table("Person").table_id, d, stmt)
                      for p, d in zip(PEOPLE, people, strict=True)}
    with ledger.transaction() as tx:
        vehicles = [_ion(v) for v in VEHICLES]
        stmt = tx.begin_statement("INSERT INTO Vehicle ?", [vehicles])
        for d in vehicles:
            tx.insert(tx.table("Vehicle").table_id, d, stmt)
    with ledger.transaction() as tx:
        regs = []
        for reg, person in zip(REGISTRATIONS, PEOPLE, strict=True):
            reg = _ion(reg)
            reg["Owners"]["PrimaryOwner"]["PersonId"] = person_ids[person["GovId"]]
            regs.append(_ion(reg))
        stmt = tx.begin_statement("INSERT INTO VehicleRegistration ?", [regs])
        for d in regs:
            tx.insert(tx.table("VehicleRegistration").table_id, d, stmt)
    with ledger.transaction() as tx:
        lics = []
        for lic, person in zip(LICENSES, PEOPLE, strict=True):
            lic = dict(lic, PersonId=person_ids[person["GovId"]])
            lics.append(_ion(lic))
        stmt = tx.begin_statement("INSERT INTO DriversLicense ?", [lics])
        for d in lics:
            tx.insert(tx.table("DriversLicense").table_id, d, stmt)

    # A read, as the tutorial's find_vehicles does (reads are journaled too).
    with ledger.transaction() as tx:
        tx.begin_statement("SELECT Vehicle FROM Vehicle INNER JOIN VehicleRegistration AS r "
                           "ON Vehicle.VIN = r.VIN WHERE r.Owners.PrimaryOwner.PersonId = ?",
                           [person_ids["LEWISR261LL"]])
        regs = _find(tx, "VehicleRegistration", "LicensePlateNumber", "LEWISR261LL")
        for reg in regs:
            _find(tx, "Vehicle", "VIN", reg.data["VIN"])

    vin = "1N4AL11D75C109151"
    # add_secondary_owner
    with ledger.transaction() as tx:
        secondary = _ion({"PersonId": person_ids["P626-168-229-765"]})
        stmt = tx.begin_statement("FROM VehicleRegistration AS v WHERE v.VIN = ? "
                                  "INSERT INTO v.Owners.SecondaryOwners VALUE ?", [vin, secondary])
        for doc in _find(tx, "VehicleRegistration", "VIN", vin):
            data = _ion(doc.data)
            data["Owners"]["SecondaryOwners"].append(secondary)
            tx.update(doc.doc_id, data, stmt)
    # transfer_vehicle_ownership
    with ledger.transaction() as tx:
        new_owner = person_ids["LOGANB486CG"]
        stmt = tx.begin_statement("UPDATE VehicleRegistration AS r "
                                  "SET r.Owners.PrimaryOwner.PersonId = ? WHERE r.VIN = ?",
                                  [new_owner, vin])
        for doc in _find(tx, "VehicleRegistration", "VIN", vin):
            data = _ion(doc.data)
            data["Owners"]["PrimaryOwner"]["PersonId"] = _ion(new_owner)
            tx.update(doc.doc_id, data, stmt)
    # renew_drivers_license
    with ledger.transaction() as tx:
        start, end = _day(2019, 4, 19), _day(2023, 4, 19)
        stmt = tx.begin_statement("UPDATE DriversLicense AS d SET d.ValidFromDate = ?, "
                                  "d.ValidToDate = ? WHERE d.PersonId = ?",
                                  [start, end, person_ids["744 849 301"]])
        for doc in _find(tx, "DriversLicense", "PersonId", person_ids["744 849 301"]):
            data = _ion(doc.data)
            data["ValidFromDate"], data["ValidToDate"] = _ion(start), _ion(end)
            tx.update(doc.doc_id, data, stmt)
    # deregister_drivers_license
    with ledger.transaction() as tx:
        stmt = tx.begin_statement("DELETE FROM DriversLicense AS d WHERE d.LicenseNumber = ?",
                                  ["LEWISR261LL"])
        for doc in _find(tx, "DriversLicense", "LicenseNumber", "LEWISR261LL"):
            tx.delete(doc.doc_id, stmt)
    # a registration paid and then deregistered
    semi = "1HVBBAANXWH544237"
    with ledger.transaction() as tx:
        stmt = tx.begin_statement("UPDATE VehicleRegistration AS r "
                                  "SET r.PendingPenaltyTicketAmount = ? WHERE r.VIN = ?",
                                  [Decimal("0.00"), semi])
        for doc in _find(tx, "VehicleRegistration", "VIN", semi):
            data = _ion(doc.data)
            data["PendingPenaltyTicketAmount"] = _ion(Decimal("0.00"))
            tx.update(doc.doc_id, data, stmt)
    with ledger.transaction() as tx:
        stmt = tx.begin_statement("DELETE FROM VehicleRegistration AS r WHERE r.VIN = ?", [semi])
        docs = _find(tx, "VehicleRegistration", "VIN", semi)
        for doc in docs:
            tx.delete(doc.doc_id, stmt)
        deleted_reg = docs[0].doc_id
    # redact the registration's first revision (the owner's original data)
    history = ledger.document_history(deleted_reg)
    first = history[0]
    table_id = ledger.table("VehicleRegistration").table_id
    with ledger.transaction() as tx:
        stmt = tx.begin_statement(
            f"EXEC REDACT_REVISION `{first.address.text()}`, '{table_id}', '{deleted_reg}'")
        tx.redact_revision(first.address, table_id, deleted_reg, stmt)
