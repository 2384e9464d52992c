SELEC VendorID FROM green
