# Unit tests of the client's internals (no sockets).
bwvoice_add_test(pool_test pool_test.cpp)
bwvoice_add_test(retry_test retry_test.cpp)
bwvoice_add_test(config_test config_test.cpp)
bwvoice_add_test(conference_reader_test conference_reader_test.cpp)
bwvoice_add_test(redact_test redact_test.cpp)
bwvoice_add_test(exchange_fsm_test exchange_fsm_test.cpp)
bwvoice_add_test(conference_reader_fast_path_test conference_reader_fast_path_test.cpp)
bwvoice_add_test(response_reader_test response_reader_test.cpp)
