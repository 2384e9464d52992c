SELECT VendorID, sum(total_amount) FROM green
