"""Qt item models: ids plus lazily fetched rows; never a whole table on the GUI thread."""
