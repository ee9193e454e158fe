package api

import (
	_ "embed"
	"net/http"
	"sync"

	"github.com/gin-gonic/gin"
	"github.com/goccy/go-yaml"
)

// OpenAPIYAML is the OpenAPI 3 document of the whole API.
//
//go:embed openapi.yaml
var OpenAPIYAML []byte

var openAPIJSONBytes = sync.OnceValues(func() ([]byte, error) { return yaml.YAMLToJSON(OpenAPIYAML) })

func openAPIYAML(c *gin.Context) { c.Data(http.StatusOK, "application/yaml", OpenAPIYAML) }

func openAPIJSON(c *gin.Context) {
	b, err := openAPIJSONBytes()
	if err != nil {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	c.Data(http.StatusOK, "application/json", b)
}
