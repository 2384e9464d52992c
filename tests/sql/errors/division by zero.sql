SELECT VendorID / 0 AS x FROM green
