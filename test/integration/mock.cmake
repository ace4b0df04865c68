bwvoice_add_test(mock_server_test mock_server_test.cpp)
bwvoice_add_test(mock_oauth_test mock_oauth_test.cpp)
# bwvoice-mock's command line, run as its own process (the CLI tests' Process).
bwvoice_add_test(mock_cli_oauth_test mock_cli_oauth_test.cpp)
target_link_libraries(mock_cli_oauth_test PRIVATE bwconf_cli_test_support)
target_compile_definitions(mock_cli_oauth_test PRIVATE BWVOICE_MOCK_PATH="$<TARGET_FILE:bwvoice-mock>")
add_dependencies(mock_cli_oauth_test bwvoice-mock)
