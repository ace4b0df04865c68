// The public aggregates a caller builds (ClientConfig, TlsConfig,
// ConferenceQuery, ConferenceUpdate, MemberUpdate) take designated
// initializers naming only some fields without a warning: this file is
// compiled with -Wextra (-Wmissing-field-initializers, which g++ 12 raises for
// every omitted member without a default member initializer) and, in the
// presets, -Werror, so a member added without `{}` or `= value` fails the build.
#include <bwvoice/bwvoice.hpp>

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(designated_init)

BOOST_AUTO_TEST_CASE(client_config_with_basic_or_oauth_credentials) {
    const bwvoice::ClientConfig basic{.account_id = "9900000", .username = "u", .password = "p"};
    BOOST_TEST(basic.username == "u");
    BOOST_TEST(basic.client_id.empty());
    // Skips username and password, which come before the client credentials.
    const bwvoice::ClientConfig oauth{.account_id = "9900000", .client_id = "id", .client_secret = "s"};
    BOOST_TEST(oauth.username.empty());
    BOOST_TEST(oauth.client_id == "id");
}

BOOST_AUTO_TEST_CASE(tls_config_naming_one_field) {
    const bwvoice::ClientConfig c{.base_url = "https://127.0.0.1:8443/api/v2",
                                  .account_id = "9900000",
                                  .username = "u",
                                  .password = "p",
                                  .tls = {.extra_ca_file = "ca.crt"}};
    BOOST_TEST(c.tls.extra_ca_file == "ca.crt");
    BOOST_TEST(c.tls.use_system_store);
    BOOST_TEST(c.tls.extra_ca_pem.empty());
    BOOST_TEST(!c.tls.context);
}

BOOST_AUTO_TEST_CASE(conference_query_naming_one_field) {
    const bwvoice::ConferenceQuery by_page{.page_size = 100};
    BOOST_TEST(!by_page.name);
    BOOST_TEST(by_page.page_size.value_or(0) == 100u);
    const bwvoice::ConferenceQuery by_name{.name = "standup"};
    BOOST_TEST(by_name.name.value_or("") == "standup");
    BOOST_TEST(!by_name.page_size);
}

BOOST_AUTO_TEST_CASE(updates_naming_one_field) {
    const bwvoice::MemberUpdate mute{.mute = true};
    BOOST_TEST(!mute.hold);
    const bwvoice::ConferenceUpdate end{.status = bwvoice::ConferenceStatus::completed};
    BOOST_TEST(!end.redirect_url);
}

BOOST_AUTO_TEST_SUITE_END()
