package securityserver

// Every behaviour shared/reference/aerospike-wire-protocol.md marks VERIFIED,
// and the tests that show this server reproducing it through the real
// aerospike-client-go v8.6.0. "Parity" marks a test that also runs against
// a real Community 8.1.2.0 node and must get the same answers.
//
//	§1.1 framing: 8-byte header, type, 48-bit length   every test; TestInfoUnauthenticated (raw connection)
//	§2.1(5) node, partition-generation accepted         TestConnect/SecurityEnabledAdmin;
//	                                                    TestCommunityParity/Info/{Node,PartitionGeneration} (parity)
//	§2.1(5) cluster-name must match; error shows it     TestConnect/ClusterNameMatches, TestConnect/ClusterNameMismatch
//	§2.1(5) build must parse; < 4.9.0.3 refused         TestConnect/BuildTooOld, TestCommunityParity/Info/Build (parity)
//	§2.1(5) user-agent-set:value=<base64> from 8.1      TestConversation/SecurityEnabledBuild81 (exact request),
//	                                                    TestCommunityParity/Info/UserAgent* (parity)
//	§2.3 start-up conversation, security on             TestConversation/SecurityEnabledBuild81, .../SecurityEnabledBuild72
//	§2.3 security off, no user: no LOGIN/AUTHENTICATE   TestConversation/SecurityDisabledNoUser
//	§3.3 bcrypt of "admin" with the fixed salt          every test logging in as admin (the precomputed adminHash);
//	                                                    TestLogin/SeededUser (a hash computed here matches the client's)
//	§3.4 LOGIN reply: token + TTL; AUTHENTICATE after   TestConversation, TestSessions
//	§3.4 wrong password: INVALID_CREDENTIAL, no client  TestLogin/WrongPassword, TestCreatedUserLogsIn
//	§4.1 CreateRole n_fields bug (1 priv + 1 entry)     TestRoleCommands/CreateRoleOnePrivilegeOneWhitelist,
//	                                                    TestCreateRoleFieldCount (both server modes, and the workaround)
//	§4.5 QUERY_USERS / QUERY_ROLES reply layout         TestUserCommands/QueryUsers, TestRoleCommands/QueryRoles, every QueryUser/QueryRole
//	§4.5 QueryUser("missing") -> INVALID_USER           TestUserCommands/QueryUserMissing
//	§5.1 sindex-create strings (8.1 and before)         TestCatalogSyntaxByBuild
//	§5.1 CreateIndex + task; other definition -> 200    TestCommunityParity/Catalog/CreateIndex* (parity)
//	§5.2 sindex-delete strings; DropIndex blocking task TestCatalogSyntaxByBuild, TestCommunityParity/Catalog/DropIndex* (parity)
//	§5.3 udf-put; RegisterUDF + task; ListUDF           TestCommunityParity/Catalog/{RegisterUDF,ListUDF} (parity)
//	§5.4 udf-remove; RemoveUDF + task                   TestCommunityParity/Catalog/RemoveUDF* (parity)
//	§5.6 Truncate                                       TestCommunityParity/Catalog/Truncate* (parity), TestCatalogPrivileges
//	§6 Put routed to the node, minimal reply            TestCommunityParity/Data/Put (parity), TestDataPrivileges
//	§7(4) connect with and without security             TestConnect/SecurityEnabled*, TestConnect/SecurityDisabled*
//	§7(4) builds 8.1.0.0 and 7.2.0.6                    TestConnect/Build7, TestPredefinedRolesByBuild/Build810, TestCatalogSyntaxByBuild
//	§7(4) CreateUser, duplicate -> 61                   TestUserCommands/CreateUser, .../CreateUserDuplicate
//	§7(4) QueryUser, QueryUsers, missing -> 60          TestUserCommands/QueryUserMissing, .../QueryUsers
//	§7(4) GrantRoles, RevokeRoles                       TestUserCommands/GrantRoles, .../RevokeRoles
//	§7(4) ChangePassword                                TestUserCommands/SetPassword, TestChangeOwnPassword
//	§7(4) login as a created user; wrong password -> 65 TestCreatedUserLogsIn
//	§7(4) CreateRole, QueryRole, QueryRoles             TestRoleCommands
//	§7(4) GrantPrivileges, SetQuotas, SetWhitelist(nil) TestRoleCommands/{GrantPrivileges,SetQuotas,SetWhitelistNil}
//	§7(4) QueryRole missing -> 70, DropRole, DropUser   TestRoleCommands/{QueryRoleMissing,DropRole}, TestUserCommands/DropUser
//	§7(4) cluster-name mismatch error                   TestConnect/ClusterNameMismatch
//	§7(4) a localhost seed                              TestConnect/LocalhostSeed
//
// Beyond the VERIFIED list: unauthenticated info (§1.2) in
// TestInfoUnauthenticated; Community's answer to the security protocol
// (§3.4, §4.3: SECURITY_NOT_SUPPORTED for LOGIN and every command) in
// TestCommunityParity/NoSecurity (parity); result codes for unknown users,
// privileges, duplicates, allow-lists and quotas in TestUserCommands,
// TestRoleCommands, TestLogin, TestPrivilegeEnforcement,
// TestQuotasNotEnabled and TestPredefinedRolesByBuild; sessions and their
// expiry in TestSessions and TestShortSessionTTL; faults in TestReplyFaults,
// TestLateReplyMisread, TestFaultScope, TestRefuseLogins, TestRestart.
