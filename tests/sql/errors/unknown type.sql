SELECT CAST(VendorID AS foo) FROM green
