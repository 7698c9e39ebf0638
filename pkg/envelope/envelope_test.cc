#include <dirent.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <string>
#include <vector>

#include "pkg/age/crypto.h"
#include "pkg/envelope/key_files.h"
#include "pkg/envelope/seal.h"
#include "pkg/envelope/unseal.h"
#include "pkg/fsutil/atomic_file.h"
#include "pkg/fsutil/file.h"

namespace ketcd::envelope {
namespace {

class EnvelopeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/envelope_test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    tmp_ = fsutil::JoinPath(dir_, "tmp");
    ASSERT_TRUE(fsutil::MkdirAll(tmp_, 0700).ok());
  }
  void TearDown() override { (void)fsutil::RemoveAll(dir_); }

  std::string Write(const std::string& name, const std::string& content) {
    std::string p = fsutil::JoinPath(dir_, name);
    EXPECT_TRUE(fsutil::WriteFileAtomically(p, content, {.overwrite = true}).ok());
    return p;
  }

  std::string Seal(const std::string& content, const SealOptions& o) {
    std::string out;
    stream::FnWriter sink([&](const void* p, size_t n) {
      out.append(static_cast<const char*>(p), n);
      return absl::OkStatus();
    });
    auto w = NewSealWriter(&sink, o);
    EXPECT_TRUE(w.ok()) << w.status();
    EXPECT_TRUE((*w)->Write(content.data(), content.size()).ok());
    EXPECT_TRUE((*w)->Close().ok());
    return out;
  }

  std::vector<std::string> TempEntries() {
    std::vector<std::string> names;
    DIR* d = ::opendir(tmp_.c_str());
    while (dirent* e = ::readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") names.push_back(n);
    }
    ::closedir(d);
    return names;
  }

  UnsealOptions Temp() {
    UnsealOptions o;
    o.temp_parent = tmp_;
    return o;
  }

  std::string dir_, tmp_;
};

SealOptions Zstd(int workers = 0) {
  SealOptions o;
  o.zstd = true;
  o.zstd_options.workers = workers;
  return o;
}

std::string Content() {
  std::string s;
  for (int i = 0; i < 100000; i++) s += "key-" + std::to_string(i) + "=value;";
  return s;
}

TEST_F(EnvelopeTest, NamesFollowTheLayers) {
  EXPECT_EQ(FileSuffix({}), "");
  EXPECT_EQ(CompressionName({}), "none");
  EXPECT_FALSE(Sealed({}));
  SealOptions z = Zstd();
  EXPECT_EQ(FileSuffix(z), ".zst");
  EXPECT_EQ(CompressionName(z), "zstd");
  EXPECT_TRUE(Sealed(z));
}

TEST_F(EnvelopeTest, PlainFileIsUsedWhereItIs) {
  std::string p = Write("plain.db", std::string(4096, '\0') + "bbolt");
  auto u = Unseal(p, Temp());
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ((*u)->path(), p);
  EXPECT_FALSE((*u)->compressed());
  EXPECT_TRUE((*u)->temp_dir().empty());
  EXPECT_TRUE(TempEntries().empty());
}

TEST_F(EnvelopeTest, ZstdFileIsDecodedIntoAPrivateDirRemovedAfterwards) {
  const std::string content = Content();
  // Named .db on purpose: the first bytes decide, not the name.
  std::string p = Write("snap.db", Seal(content, Zstd(2)));
  std::string temp_dir;
  {
    auto u = Unseal(p, Temp());
    ASSERT_TRUE(u.ok()) << u.status();
    EXPECT_TRUE((*u)->compressed());
    EXPECT_FALSE((*u)->encrypted());
    temp_dir = (*u)->temp_dir();
    EXPECT_EQ(fsutil::Dirname(temp_dir), tmp_);
    EXPECT_EQ(fsutil::Dirname((*u)->path()), temp_dir);
    auto got = fsutil::ReadFile((*u)->path());
    ASSERT_TRUE(got.ok());
    EXPECT_TRUE(*got == content);
    struct stat st {};
    ASSERT_EQ(::stat(temp_dir.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
  }
  EXPECT_FALSE(fsutil::PathExists(temp_dir));
  EXPECT_TRUE(TempEntries().empty());
}

TEST_F(EnvelopeTest, TruncatedZstdIsDataLossAndLeavesNothing) {
  std::string sealed = Seal(Content(), Zstd());
  std::string p = Write("snap.db.zst", sealed.substr(0, sealed.size() - 10));
  auto u = Unseal(p, Temp());
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(u.status().message().find(p), std::string::npos) << u.status();
  EXPECT_TRUE(TempEntries().empty());
}

TEST_F(EnvelopeTest, SniffFileLooksAtTheFirstBytes) {
  EXPECT_EQ(*SniffFile(Write("a.db", Seal(Content(), Zstd()))), stream::Format::kZstd);
  EXPECT_EQ(*SniffFile(Write("b.db", std::string(100, '\0'))), stream::Format::kPlain);
  EXPECT_EQ(*SniffFile(fsutil::JoinPath(dir_, "missing")), stream::Format::kPlain);
}

TEST_F(EnvelopeTest, MissingFileAndFifoArePassedThrough) {
  auto u = Unseal(fsutil::JoinPath(dir_, "missing"), Temp());
  ASSERT_TRUE(u.ok());
  EXPECT_EQ((*u)->path(), fsutil::JoinPath(dir_, "missing"));
  std::string fifo = fsutil::JoinPath(dir_, "fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto f = Unseal(fifo, Temp());  // must not block reading it
  ASSERT_TRUE(f.ok());
  EXPECT_EQ((*f)->path(), fifo);
}

age::Identity NewIdentity() { return age::Identity{age::Identity::Type::kX25519, age::RandomBytes(32)}; }

age::Recipient RecipientOf(const age::Identity& id) {
  return age::Recipient{age::Recipient::Type::kX25519, *age::PublicKeyOf(id)};
}

TEST_F(EnvelopeTest, AgeNamesAndOrder) {
  SealOptions both = Zstd();
  both.recipients = {RecipientOf(NewIdentity())};
  EXPECT_EQ(FileSuffix(both), ".zst.age");
  EXPECT_EQ(EncryptionName(both), "age");
  EXPECT_EQ(Describe(both), "zstd-compressed, age-encrypted");
  SealOptions age_only;
  age_only.recipients = both.recipients;
  EXPECT_EQ(FileSuffix(age_only), ".age");
  EXPECT_TRUE(Sealed(age_only));
  // Compressed first, then encrypted: the file is an age file whose payload is zstd.
  std::string sealed = Seal(Content(), both);
  EXPECT_EQ(sealed.rfind("age-encryption.org/v1\n", 0), 0u);
  EXPECT_LT(sealed.size(), Content().size() / 4);
}

TEST_F(EnvelopeTest, CompressedAndEncryptedFileIsDecoded) {
  age::Identity id = NewIdentity(), other = NewIdentity();
  for (bool zstd : {false, true}) {
    SealOptions o = zstd ? Zstd() : SealOptions();
    o.recipients = {RecipientOf(other), RecipientOf(id)};
    std::string p = Write("snap", Seal(Content(), o));
    UnsealOptions u = Temp();
    u.identities = {id};
    auto got = Unseal(p, u);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_TRUE((*got)->encrypted());
    EXPECT_EQ((*got)->compressed(), zstd);
    EXPECT_TRUE(*fsutil::ReadFile((*got)->path()) == Content());
  }
  EXPECT_TRUE(TempEntries().empty());
}

TEST_F(EnvelopeTest, WrongOrMissingKeyIsInvalidArgumentAndLeavesNothing) {
  SealOptions o = Zstd();
  o.recipients = {RecipientOf(NewIdentity())};
  std::string p = Write("snap.db.zst.age", Seal(Content(), o));
  UnsealOptions wrong = Temp();
  wrong.identities = {NewIdentity(), age::PassphraseIdentity("guess")};
  auto w = Unseal(p, wrong);
  EXPECT_TRUE(absl::IsInvalidArgument(w.status())) << w.status();
  auto none = Unseal(p, Temp());
  EXPECT_TRUE(absl::IsInvalidArgument(none.status())) << none.status();
  EXPECT_NE(none.status().message().find("--identity"), std::string::npos);
  EXPECT_TRUE(TempEntries().empty());
}

TEST_F(EnvelopeTest, DamagedAgeFileIsDataLossAndLeavesNothing) {
  age::Identity id = NewIdentity();
  SealOptions o = Zstd();
  o.recipients = {RecipientOf(id)};
  std::string sealed = Seal(Content(), o);
  UnsealOptions u = Temp();
  u.identities = {id};
  std::string flipped = sealed;
  flipped[flipped.size() - 20] ^= 1;
  for (const std::string& bad : {sealed.substr(0, sealed.size() - 1), flipped, sealed.substr(0, 60)}) {
    auto got = Unseal(Write("bad.age", bad), u);
    EXPECT_TRUE(absl::IsDataLoss(got.status())) << got.status();
  }
  EXPECT_TRUE(TempEntries().empty());
}

TEST_F(EnvelopeTest, KeyFlagsFiles) {
  age::Identity id = NewIdentity();
  const std::string recipient = age::EncodeRecipient(*age::PublicKeyOf(id));
  std::string rfile = Write("recipients.txt", "# backups\n" + recipient + "\n\n");
  std::string ifile = Write("key.txt", "# created: now\n# public key: " + recipient + "\n" +
                                           age::EncodeIdentity(id.key) + "\n");
  std::string pfile = Write("pass.txt", "secret phrase\r\n");
  auto rs = LoadRecipients({recipient}, {rfile}, "");
  ASSERT_TRUE(rs.ok()) << rs.status();
  EXPECT_EQ(rs->size(), 2u);
  auto ids = LoadIdentities({ifile}, pfile);
  ASSERT_TRUE(ids.ok()) << ids.status();
  ASSERT_EQ(ids->size(), 2u);
  EXPECT_EQ((*ids)[0].key, id.key);
  EXPECT_EQ((*ids)[1].key, "secret phrase");  // one trailing newline dropped
  EXPECT_TRUE(absl::IsInvalidArgument(LoadRecipients({recipient}, {}, pfile).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(LoadRecipients({"age1nope"}, {}, "").status()));
  EXPECT_TRUE(absl::IsInvalidArgument(ReadPassphraseFile(Write("empty.txt", "\n")).status()));
  auto wrong_file = LoadIdentities({rfile}, "");
  ASSERT_FALSE(wrong_file.ok());
  EXPECT_NE(wrong_file.status().message().find("line 2"), std::string::npos) << wrong_file.status();
  EXPECT_EQ(wrong_file.status().message().find(recipient), std::string::npos);
  EXPECT_TRUE(absl::IsNotFound(LoadIdentities({Write("x", "") + ".missing"}, "").status()));
}

}  // namespace
}  // namespace ketcd::envelope
