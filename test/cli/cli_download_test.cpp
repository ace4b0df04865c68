// bwconf download: the file appears only when the whole body arrived, in
// bounded memory whatever the size; a cut, a stall, an unverifiable end, a
// signal leave FILE as it was and no temporary file; --output -.
#include "cli/cli_fixture.hpp"

#include "common/memory.hpp"

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <csignal>
#include <filesystem>
#include <fstream>

using namespace bwconf_test;
using bwvoice::mock::Action;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;

/// A fresh empty folder under the certificates' temporary directory.
fs::path fresh_dir(const std::string& name) {
    const fs::path dir = certs().dir / name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

std::vector<std::string> entries(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

bool has_temp_file(const fs::path& dir) {
    for (const auto& name : entries(dir))
        if (name.find(".bwconf-") != std::string::npos) return true;
    return false;
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

/// The first (complete, wav) recording of a seeded conference.
std::string first_recording(const bwvoice::mock::MockServer& server, const std::string& conference) {
    const auto list = boost::json::parse(*server.recordings_json(conference));
    return std::string(list.as_array().at(0).at("recordingId").as_string());
}

std::string download_line(const std::string& conference, const std::string& recording, const std::string& file,
                          std::uint64_t bytes, const std::string& content_type) {
    return R"({"conferenceId":")" + conference + R"(","recordingId":")" + recording + R"(","file":")" + file +
           R"(","bytes":)" + std::to_string(bytes) + R"(,"contentType":")" + content_type + R"("})";
}

/// Compares the file with the mock's media, 1 MiB at a time.
bool file_matches_media(const fs::path& p, const std::string& recording, std::uint64_t size) {
    std::ifstream in(p, std::ios::binary);
    std::string got(kMiB, '\0'), want;
    for (std::uint64_t offset = 0; offset < size; offset += kMiB) {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(kMiB, size - offset));
        if (!in.read(got.data(), static_cast<std::streamsize>(n))) return false;
        want = bwvoice::mock::media_bytes(recording, offset, n);
        if (std::string_view(got).substr(0, n) != want) return false;
    }
    return in.peek() == std::char_traits<char>::eof();
}

boost::json::object key(const std::string& conference, const std::string& recording) {
    return {{"conferenceId", conference}, {"recordingId", recording}};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_download)

BOOST_AUTO_TEST_CASE(a_recording_lands_in_the_file_with_its_line) {
    auto server = make_server();
    const std::string rec = first_recording(*server, "conf-0");
    const auto dir = fresh_dir("plain");
    const auto file = (dir / "call.wav").string();
    auto r = run(command_args("download", server->base_url(), {"conf-0", rec, "--output", file}));
    check_no_secret(r);
    BOOST_TEST(r.exit_code == 0, r.err);
    BOOST_TEST(r.err.empty(), r.err);
    const std::uint64_t size = 32 * 1024;  // ServerOptions::media_size
    BOOST_TEST(r.out == download_line("conf-0", rec, file, size, "audio/vnd.wave") + "\n");
    BOOST_TEST(read_file(file) == bwvoice::mock::media_bytes(rec, 0, size));
    BOOST_TEST(entries(dir) == std::vector<std::string>{"call.wav"}, boost::test_tools::per_element());
    // The new file has the usual mode, not the temporary file's 0600.
    BOOST_TEST(((fs::status(file).permissions() & fs::perms::others_read) != fs::perms::none));

    // Replacing a file keeps its mode; a relative FILE works from the current folder.
    fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write);
    std::vector<std::string> shell{"/bin/sh", "-c", "cd \"$DIR\" && exec \"$0\" \"$@\""};
    for (const auto& a : command_args("download", server->base_url(), {"conf-0", rec, "--output", "call.wav"}))
        shell.push_back(a);
    auto relative = run(shell, {{"DIR", dir.string()}});
    BOOST_TEST(relative.exit_code == 0, relative.err);
    BOOST_TEST(relative.out == download_line("conf-0", rec, "call.wav", size, "audio/vnd.wave") + "\n");
    BOOST_TEST(((fs::status(file).permissions() & fs::perms::others_read) == fs::perms::none));
    BOOST_TEST(entries(dir) == std::vector<std::string>{"call.wav"}, boost::test_tools::per_element());

    // A chunked body is whole at its last chunk.
    server->script_route("conferences/conf-0/recordings/" + rec + "/media", {Action::of(Action::Kind::chunked)});
    const auto chunked_file = (dir / "chunked.wav").string();
    auto chunked = run(command_args("download", server->base_url(), {"conf-0", rec, "--output", chunked_file}));
    BOOST_TEST(chunked.exit_code == 0, chunked.err);
    BOOST_TEST(read_file(chunked_file) == bwvoice::mock::media_bytes(rec, 0, size));
}

BOOST_AUTO_TEST_CASE(a_large_recording_in_bounded_memory) {
    constexpr std::uint64_t size = 200 * kMiB;
    auto server = make_server();
    const std::string rec = first_recording(*server, "conf-0");
    BOOST_TEST_REQUIRE(server->set_media_size("conf-0", rec, size));
    const auto dir = fresh_dir("large");
    const auto file = (dir / "large.wav").string();
    auto r =
        run(command_args("download", server->base_url(), {"conf-0", rec, "--output", file, "--timeout-ms", "300000"}),
            {}, {}, 300s);
    BOOST_TEST_REQUIRE(!r.timed_out);
    BOOST_TEST(r.exit_code == 0, r.err);
    BOOST_TEST(r.out == download_line("conf-0", rec, file, size, "audio/vnd.wave") + "\n");
    BOOST_TEST(fs::file_size(file) == size);
    BOOST_TEST(file_matches_media(file, rec, size));
    BOOST_TEST(entries(dir) == std::vector<std::string>{"large.wav"}, boost::test_tools::per_element());
    BOOST_TEST_MESSAGE("bwconf download of 200 MiB: peak RSS " << r.max_rss_kib / 1024 << " MiB");
    // The body passes through in 64 KiB pieces; what stays resident is the
    // program itself, OpenSSL and the buffers, far below the body's size.
    // (ASan's allocator keeps freed blocks in quarantine: no RSS bound there.)
    if (!bwvoice::test::under_address_sanitizer) BOOST_TEST(r.max_rss_kib < 48 * 1024, r.max_rss_kib << " KiB");
    fs::remove(file);
}

BOOST_AUTO_TEST_CASE(a_body_cut_in_the_middle_leaves_the_file_as_it_was) {
    auto server = make_server();
    const std::string rec = first_recording(*server, "conf-0");
    BOOST_TEST_REQUIRE(server->set_media_size("conf-0", rec, 4 * kMiB));
    const std::string route = "conferences/conf-0/recordings/" + rec + "/media";
    const auto dir = fresh_dir("cut");
    const auto file = dir / "kept.wav";
    const std::string before = "the previous recording\n";
    std::ofstream(file, std::ios::binary) << before;

    Action cut = Action::of(Action::Kind::partial_body);
    cut.partial_bytes = 3 * kMiB;  // several pieces have reached the temporary file
    server->script_route(route, {cut});
    auto r = run(command_args("download", server->base_url(), {"conf-0", rec, "--output", file.string()}));
    check_no_secret(r);
    BOOST_TEST(r.exit_code == 1, r.err);
    check_error_fields(r.out, key("conf-0", rec), "connection_failed", 200u);
    BOOST_TEST(read_file(file) == before);
    BOOST_TEST(!has_temp_file(dir), "a temporary file was left behind");
    BOOST_TEST(server->request_count(route) == 1u, "resent after bytes reached the sink");

    // No FILE before: none after.
    server->script_route(route, {cut});
    const auto absent = dir / "absent.wav";
    auto r2 = run(command_args("download", server->base_url(), {"conf-0", rec, "--output", absent.string()}));
    BOOST_TEST(r2.exit_code == 1);
    BOOST_TEST(!fs::exists(absent));

    // A stall mid-body: the deadline ends it.
    Action stall = Action::of(Action::Kind::stall);
    server->script_route(route, {stall});
    auto r3 = run(command_args("download", server->base_url(),
                               {"conf-0", rec, "--output", file.string(), "--timeout-ms", "1500"}));
    BOOST_TEST(r3.exit_code == 1);
    check_error_fields(r3.out, key("conf-0", rec), "timeout", 200u);
    BOOST_TEST(read_file(file) == before);

    // No Content-Length and not chunked: the end cannot be verified.
    server->script_route(route, {Action::of(Action::Kind::close_delimited)});
    auto r4 = run(command_args("download", server->base_url(), {"conf-0", rec, "--output", file.string()}));
    BOOST_TEST(r4.exit_code == 1);
    check_error_fields(r4.out, key("conf-0", rec), "bad_response", 200u);
    BOOST_TEST(read_file(file) == before);

    // An error answer: the file untouched as well.
    auto r5 = run(command_args("download", server->base_url(), {"conf-0", "r-none", "--output", file.string()}));
    BOOST_TEST(r5.exit_code == 1);
    check_error_fields(r5.out, key("conf-0", "r-none"), "not_found", 404u);
    BOOST_TEST(read_file(file) == before);
    BOOST_TEST(entries(dir) == std::vector<std::string>{"kept.wav"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_signal_mid_download_removes_the_temporary_file) {
    for (const auto& [signo, exit_status] : {std::pair{SIGINT, 130}, std::pair{SIGTERM, 143}}) {
        BOOST_TEST_CONTEXT("signal " << signo) {
            auto server = make_server();
            const std::string rec = first_recording(*server, "conf-0");
            BOOST_TEST_REQUIRE(server->set_media_size("conf-0", rec, 64 * kMiB));
            Action slow = Action::of(Action::Kind::trickle);
            slow.trickle_bytes = 64 * 1024;
            slow.delay = 20ms;
            server->script_route("conferences/conf-0/recordings/" + rec + "/media", {slow});
            const auto dir = fresh_dir("signal");
            const auto file = dir / "kept.wav";
            std::ofstream(file, std::ios::binary) << "old";

            Process p(command_args("download", server->base_url(), {"conf-0", rec, "--output", file.string()}));
            // Wait until bytes are in the temporary file.
            const auto temp_has_bytes = [&] {
                for (const auto& e : fs::directory_iterator(dir))
                    if (e.path().filename().string().find(".bwconf-") != std::string::npos && e.file_size() > 0)
                        return true;
                return false;
            };
            BOOST_TEST_REQUIRE(p.pump_until(temp_has_bytes, 10s));
            p.send_signal(signo);
            auto r = p.wait(10s);
            BOOST_TEST(!r.timed_out);
            BOOST_TEST(r.exit_code == exit_status, r.err);
            check_error_fields(r.out, key("conf-0", rec), "cancelled", std::nullopt);
            BOOST_TEST(entries(dir) == std::vector<std::string>{"kept.wav"}, boost::test_tools::per_element());
            BOOST_TEST(read_file(file) == "old");
            check_no_secret(r);
        }
    }
}

BOOST_AUTO_TEST_CASE(output_dash_writes_the_bytes_to_stdout_and_the_line_to_stderr) {
    auto server = make_server();
    const std::string rec = first_recording(*server, "conf-0");
    const std::uint64_t size = 5 * kMiB + 17;
    BOOST_TEST_REQUIRE(server->set_media_size("conf-0", rec, size));
    auto r = run(command_args("download", server->base_url(), {"conf-0", rec, "--output", "-"}));
    check_no_secret(r);
    BOOST_TEST(r.exit_code == 0, r.err);
    BOOST_TEST(r.out.size() == size);
    BOOST_TEST((r.out == bwvoice::mock::media_bytes(rec, 0, static_cast<std::size_t>(size))));
    BOOST_TEST(r.err == download_line("conf-0", rec, "-", size, "audio/vnd.wave") + "\n");

    auto missing = run(command_args("download", server->base_url(), {"conf-0", "r-none", "--output", "-"}));
    BOOST_TEST(missing.exit_code == 1);
    BOOST_TEST(missing.out.empty());
    check_error_fields(missing.err.substr(0, missing.err.size() - 1), key("conf-0", "r-none"), "not_found", 404u);
}

// A reader that stops reading: bwconf is blocked writing to stdout when
// Ctrl-C comes, and must still end the documented way, without waiting for
// the reader. stdout is a FIFO this test opens and never reads.
BOOST_AUTO_TEST_CASE(sigint_while_stdout_is_full) {
    auto server = make_server();
    const std::string rec = first_recording(*server, "conf-0");
    BOOST_TEST_REQUIRE(server->set_media_size("conf-0", rec, 64 * kMiB));
    const auto dir = fresh_dir("fifo");
    const auto fifo = dir / "out";
    BOOST_TEST_REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);  // held, never read
    BOOST_TEST_REQUIRE(reader >= 0);
    std::vector<std::string> shell{"/bin/sh", "-c", "exec \"$0\" \"$@\" > \"$FIFO\""};
    for (const auto& a : command_args("download", server->base_url(), {"conf-0", rec, "--output", "-"}))
        shell.push_back(a);
    Process p(shell, {{"FIFO", fifo.string()}});
    p.pump_for(1s);  // the FIFO's buffer fills; bwconf's write(2) blocks
    p.send_signal(SIGINT);
    auto r = p.wait(10s);
    ::close(reader);
    BOOST_TEST(!r.timed_out, "bwconf waited for a reader that never reads");
    BOOST_TEST(r.exit_code == 130, r.err);
    BOOST_TEST_REQUIRE(!r.err.empty());
    check_error_fields(r.err.substr(0, r.err.size() - 1), key("conf-0", rec), "cancelled", std::nullopt);
}

BOOST_AUTO_TEST_CASE(download_against_bwvoice_mock) {
    const auto dir = fresh_dir("tls");
    const auto file = (dir / "r.wav").string();
    auto list = run(command_args("recordings", tls_mock().url, {"conf-0"}));
    BOOST_TEST_REQUIRE(list.exit_code == 0, list.err);
    const auto first = parse_line(list.lines().at(0));
    const std::string rec(first.at("recordingId").as_string());
    auto r = run(command_args("download", tls_mock().url, {"conf-0", rec, "--output", file}));
    check_no_secret(r);
    BOOST_TEST(r.exit_code == 0, r.err);
    BOOST_TEST(read_file(file) == bwvoice::mock::media_bytes(rec, 0, 32 * 1024));
}

BOOST_AUTO_TEST_CASE(usage_errors_create_nothing_and_send_nothing) {
    auto server = make_server();
    const std::string url = server->base_url();
    const auto dir = fresh_dir("usage");
    check_usage_error(run(command_args("download", url, {"conf-0", "r-1"})));
    check_usage_error(run(command_args("download", url, {"conf-0", "r-1", "--output", ""})));
    check_usage_error(run(command_args("download", url, {"conf-0", "r-1", "--output", dir.string()})));
    check_usage_error(run(command_args("download", url, {"conf-0", "r-1", "--output", (dir / "no/such/f").string()})));
    check_usage_error(run(command_args("download", url, {"conf-0", "--output", (dir / "f").string()})));
    check_usage_error(run(command_args("download", url, {"conf-0", "r-1", "r-2", "--output", (dir / "f").string()})));
    BOOST_TEST(entries(dir).empty());
    BOOST_TEST(server->stats().requests == 0u);
}

// FILE is replaced by a rename at the end: a FILE that exists and is not a
// regular file (a FIFO here; /dev/null alike) would be replaced by one
// rather than written to. It is a usage error; nothing is sent.
BOOST_AUTO_TEST_CASE(an_output_that_is_not_a_regular_file_is_a_usage_error) {
    auto server = make_server();
    const std::string rec = first_recording(*server, "conf-0");
    const auto dir = fresh_dir("special");
    const auto fifo = dir / "pipe";
    BOOST_TEST_REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    auto r = run(command_args("download", server->base_url(), {"conf-0", rec, "--output", fifo.string()}));
    check_usage_error(r);
    BOOST_TEST(r.err.find("--output -") != std::string::npos, r.err);
    BOOST_TEST(fs::is_fifo(fifo), "the FIFO was replaced");
    BOOST_TEST(entries(dir) == std::vector<std::string>{"pipe"}, boost::test_tools::per_element());
    BOOST_TEST(server->stats().requests == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
