SELECT VendorID FROM green WHERE VendorID = 1 +
