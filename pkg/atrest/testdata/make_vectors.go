// Prints test vectors for decrypt_test.cc: a value encrypted by the API server's own
// transformers (k8s.io/apiserver pkg/storage/value/encrypt), as TransformToStorage
// writes it after the "k8s:enc:<provider>:v1:<key>:" prefix. Run from a scratch module:
//   go mod init vecgen && go get k8s.io/apiserver@v0.36.3 && go run make_vectors.go
package main

import (
	"context"
	"crypto/aes"
	"encoding/hex"
	"fmt"

	aestransformer "k8s.io/apiserver/pkg/storage/value/encrypt/aes"
	"k8s.io/apiserver/pkg/storage/value/encrypt/secretbox"
	"k8s.io/apiserver/pkg/storage/value"
)

type ad string

func (d ad) AuthenticatedData() []byte { return []byte(d) }

func main() {
	key16 := []byte("0123456789abcdef")
	key32 := []byte("0123456789abcdef0123456789abcdef")
	plain := []byte("k8s\x00 stored secret")
	ctx := context.Background()
	dataCtx := ad("/registry/secrets/demo/creds")
	for _, k := range [][]byte{key16, key32} {
		b, _ := aes.NewCipher(k)
		cbc := aestransformer.NewCBCTransformer(b)
		out, _ := cbc.TransformToStorage(ctx, plain, dataCtx)
		fmt.Printf("aescbc %d %s\n", len(k), hex.EncodeToString(out))
		gcm, _ := aestransformer.NewGCMTransformer(b)
		out, _ = gcm.TransformToStorage(ctx, plain, dataCtx)
		fmt.Printf("aesgcm %d %s\n", len(k), hex.EncodeToString(out))
	}
	var k [32]byte
	copy(k[:], key32)
	sb := secretbox.NewSecretboxTransformer(k)
	out, _ := sb.TransformToStorage(ctx, plain, dataCtx)
	fmt.Printf("secretbox 32 %s\n", hex.EncodeToString(out))
	_ = value.Context(dataCtx)
}
