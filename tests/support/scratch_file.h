#pragma once
// A test's own file in a fresh folder under the temporary folder (named for the process and the
// test), removed after the test: for the readers and writers of the files the engine keeps.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace glimpse::test {

class ScratchFileTest : public ::testing::Test {
 protected:
  // dir_ = <temporary>/<prefix>-<pid>-<test name>, made empty; file_ = dir_ / relative (not made).
  void make_scratch(const std::string& prefix, const std::filesystem::path& relative) {
    dir_ = std::filesystem::temp_directory_path() / (prefix + "-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    file_ = dir_ / relative;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write_text(const std::string& text) {
    std::filesystem::create_directories(file_.parent_path());
    std::ofstream(file_, std::ios::binary | std::ios::trunc) << text;
  }
  std::string read_text() const {
    std::ifstream in(file_, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

  std::filesystem::path dir_, file_;
};

}  // namespace glimpse::test
