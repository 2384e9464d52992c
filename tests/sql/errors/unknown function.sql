SELECT foo(VendorID) FROM green
